"""case notes and attachments: staff-only notes (with their earlier versions) and files on a
mentor, a mentee or a process; the national read role gets no policy on them

Revision ID: 0014_notes
Revises: 0014_casework
Create Date: 2026-12-03 14:10:00
"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0014_notes'
down_revision = '0014_casework'
branch_labels = None
depends_on = None

SUBJECTS = {"mentor": "mentors", "mentee": "mentees", "process": "mentoring_processes"}


def _subject_columns(table):
    return [
        *(sa.Column(f'{subject}_id', sa.Integer(), nullable=True) for subject in SUBJECTS),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.CheckConstraint('num_nonnulls(mentor_id, mentee_id, process_id) = 1', name=op.f(f'ck_{table}_one_subject')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f(f'fk_{table}_tenant_id_tenants'),
                                ondelete='RESTRICT'),
        *(sa.ForeignKeyConstraint(['tenant_id', f'{subject}_id'], [f'{target}.tenant_id', f'{target}.id'],
                                  name=op.f(f'fk_{table}_tenant_id_{target}'), ondelete='CASCADE')
          for subject, target in SUBJECTS.items()),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f(f'uq_{table}_tenant_id_id')),
    ]


def _subject_indexes(table):
    for subject in SUBJECTS:
        op.create_index(f'ix_{table}_tenant_{subject}', table, ['tenant_id', f'{subject}_id'], unique=False)


def upgrade():
    op.create_table('case_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body', sa.String(length=10000), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('edited_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_notes_author_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['edited_by_id'], ['users.id'], name=op.f('fk_case_notes_edited_by_id_users'),
                            ondelete='SET NULL'),
    *_subject_columns('case_notes'),
    )
    _subject_indexes('case_notes')
    rls.enable_row_level_security(op, 'case_notes', national_read=False)
    op.create_table('case_note_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.String(length=10000), nullable=False),
    sa.Column('written_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('written_by_id', sa.Integer(), nullable=True),
    sa.Column('replaced_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_case_note_revisions_tenant_id_tenants'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'note_id'], ['case_notes.tenant_id', 'case_notes.id'],
                            name=op.f('fk_case_note_revisions_tenant_id_case_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['written_by_id'], ['users.id'], name=op.f('fk_case_note_revisions_written_by_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_note_revisions')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_case_note_revisions_tenant_id_id')),
    )
    op.create_index('ix_case_note_revisions_tenant_note', 'case_note_revisions', ['tenant_id', 'note_id'], unique=False)
    rls.enable_row_level_security(op, 'case_note_revisions', national_read=False)
    op.create_table('case_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_case_attachments_uploaded_by_id_users'),
                            ondelete='SET NULL'),
    sa.UniqueConstraint('storage_key', name=op.f('uq_case_attachments_storage_key')),
    *_subject_columns('case_attachments'),
    )
    _subject_indexes('case_attachments')
    rls.enable_row_level_security(op, 'case_attachments', national_read=False)


def downgrade():
    op.drop_table('case_attachments')
    op.drop_table('case_note_revisions')
    op.drop_table('case_notes')
