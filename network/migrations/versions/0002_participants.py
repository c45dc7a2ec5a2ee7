"""participants: support areas, companies, mentors, mentees, consents, interviews, imports, intake

Revision ID: 0002_participants
Revises: 0001_foundation
Create Date: 2026-11-24 04:15:00.000000

"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0002_participants'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None

TENANT_TABLES = (
    'mentors', 'mentees', 'mentor_languages', 'mentee_languages', 'mentor_support_areas',
    'mentee_support_areas', 'consents', 'interviews', 'participant_imports', 'partner_questions',
    'intake_responses',
)

# The programme's support areas. Codes are stable; the coordination team adds more later.
SUPPORT_AREAS = [
    ('qualification_job_search', 'Qualificação e procura de emprego', 'Qualification and job search'),
    ('entrepreneurship', 'Empreendedorismo', 'Entrepreneurship'),
    ('health', 'Saúde', 'Health'),
    ('parenting', 'Parentalidade', 'Parenting'),
    ('citizenship_participation', 'Cidadania e participação', 'Citizenship and participation'),
    ('portuguese_language', 'Língua portuguesa', 'Portuguese language'),
    ('housing', 'Habitação', 'Housing'),
    ('legal_documentation', 'Questões jurídicas e documentação', 'Legal matters and documentation'),
    ('education', 'Educação', 'Education'),
    ('digital_skills', 'Competências digitais', 'Digital skills'),
]


# Version 1 of the network-wide intake questionnaires: (kind, Portuguese, English, required, choices).
INTAKE_QUESTIONS = {
    'mentor': [
        ('text', 'Como conheceu o programa?', 'How did you hear about the programme?', False, []),
        ('yes_no', 'Já fez voluntariado?', 'Have you volunteered before?', True, []),
        ('long_text', 'O que espera da experiência de mentoria?', 'What do you expect from mentoring?', True, []),
        ('choice', 'Durante quanto tempo pode acompanhar um mentorando?', 'For how long can you follow a mentee?',
         True, [('c1', '3 meses', '3 months'), ('c2', '6 meses', '6 months'), ('c3', '12 meses', '12 months')]),
    ],
    'mentee': [
        ('long_text', 'Qual é o seu principal objetivo para os próximos seis meses?',
         'What is your main goal for the next six months?', True, []),
        ('yes_no', 'Já teve apoio de outros serviços desde que chegou?',
         'Have you had support from other services since you arrived?', False, []),
        ('choice', 'Como prefere ser contactado(a)?', 'How would you rather be contacted?', True,
         [('c1', 'Telefone', 'Phone'), ('c2', 'Mensagem', 'Text message'), ('c3', 'E-mail', 'E-mail')]),
        ('long_text', 'Há alguma coisa que o seu mentor deva saber?', 'Is there anything your mentor should know?',
         False, []),
    ],
}


def upgrade():
    op.create_table('companies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_companies')),
    sa.UniqueConstraint('name', name=op.f('uq_companies_name'))
    )
    op.create_table('question_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('mentor', 'mentee', name='question_set_role', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('published_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_sets')),
    sa.UniqueConstraint('role', 'version', name=op.f('uq_question_sets_role_version'))
    )
    op.create_table('support_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=48), nullable=False),
    sa.Column('name_pt', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_areas')),
    sa.UniqueConstraint('code', name=op.f('uq_support_areas_code'))
    )
    op.create_table('mentees',
    sa.Column('country_of_origin', sa.String(length=2), nullable=True),
    sa.Column('nationality', sa.String(length=2), nullable=True),
    sa.Column('arrival_year', sa.Integer(), nullable=True),
    sa.Column('residence_status', sa.Enum('eu_citizen', 'residence_permit', 'application_pending', 'international_protection', 'asylum_seeker', 'temporary_protection', 'visa', 'other', 'not_disclosed', name='residence_status', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('migration_reason', sa.Enum('work', 'study', 'family', 'protection', 'other', 'not_disclosed', name='migration_reason', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('employment_status', sa.Enum('employed', 'self_employed', 'unemployed', 'student', 'not_looking', 'other', name='employment_status', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('age_band', sa.Enum('18_24', '25_34', '35_44', '45_54', '55_64', '65_plus', name='age_band', native_enum=False, create_constraint=True, length=8), nullable=True),
    sa.Column('gender', sa.Enum('female', 'male', 'other', 'not_disclosed', name='gender', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('referral_source', sa.Enum('social_services', 'employment_centre', 'school', 'health_service', 'association', 'company', 'information_session', 'word_of_mouth', 'other', name='referral_source', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('availability_days', sa.JSON(), nullable=False),
    sa.Column('availability_periods', sa.JSON(), nullable=False),
    sa.Column('preferred_mentor_gender', sa.Enum('female', 'male', 'other', 'not_disclosed', name='preferred_mentor_gender', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('status', sa.Enum('applicant', 'interviewed', 'waiting', 'matched', 'paused', 'left', name='mentee_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('municipality', sa.String(length=120), nullable=False),
    sa.Column('expectations', sa.String(length=2000), nullable=True),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('updated_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_mentees_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentees')),
    sa.UniqueConstraint('tenant_id', 'email', name=op.f('uq_mentees_tenant_id_email')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_mentees_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'phone', name=op.f('uq_mentees_tenant_id_phone'))
    )
    op.create_index('ix_mentees_tenant_name', 'mentees', ['tenant_id', 'full_name'], unique=False)
    op.create_index('ix_mentees_tenant_status', 'mentees', ['tenant_id', 'status'], unique=False)
    op.create_table('mentors',
    sa.Column('professional_area', sa.String(length=120), nullable=True),
    sa.Column('skills', sa.String(length=1000), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('availability_days', sa.JSON(), nullable=False),
    sa.Column('availability_periods', sa.JSON(), nullable=False),
    sa.Column('hours_per_week', sa.Integer(), nullable=True),
    sa.Column('gender', sa.Enum('female', 'male', 'other', 'not_disclosed', name='mentor_gender', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('motivation', sa.String(length=2000), nullable=True),
    sa.Column('training_completed_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('applicant', 'interviewed', 'available', 'matched', 'paused', 'left', name='mentor_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('municipality', sa.String(length=120), nullable=False),
    sa.Column('expectations', sa.String(length=2000), nullable=True),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('updated_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_mentors_company_id_companies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_mentors_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentors')),
    sa.UniqueConstraint('tenant_id', 'email', name=op.f('uq_mentors_tenant_id_email')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_mentors_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'phone', name=op.f('uq_mentors_tenant_id_phone'))
    )
    op.create_index('ix_mentors_tenant_name', 'mentors', ['tenant_id', 'full_name'], unique=False)
    op.create_index('ix_mentors_tenant_status', 'mentors', ['tenant_id', 'status'], unique=False)
    op.create_table('participant_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('mentor', 'mentee', name='import_role', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_participant_imports_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_participant_imports_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_imports')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_participant_imports_tenant_id_id'))
    )
    op.create_table('partner_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('mentor', 'mentee', name='partner_question_role', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('kind', sa.Enum('text', 'long_text', 'choice', 'yes_no', name='partner_question_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('prompt_pt', sa.String(length=300), nullable=False),
    sa.Column('prompt_en', sa.String(length=300), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_partner_questions_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_questions')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_partner_questions_tenant_id_id'))
    )
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_set_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('text', 'long_text', 'choice', 'yes_no', name='question_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('prompt_pt', sa.String(length=300), nullable=False),
    sa.Column('prompt_en', sa.String(length=300), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_set_id'], ['question_sets.id'], name=op.f('fk_questions_question_set_id_question_sets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    op.create_index(op.f('ix_questions_question_set_id'), 'questions', ['question_set_id'], unique=False)
    op.create_table('consents',
    sa.Column('purpose', sa.Enum('programme', 'sensitive_data', 'communications', name='consent_purpose', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('text_version', sa.String(length=32), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=True),
    sa.Column('mentee_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('(mentor_id IS NULL) <> (mentee_id IS NULL)', name=op.f('ck_consents_one_participant')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consents_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentee_id'], ['mentees.tenant_id', 'mentees.id'], name=op.f('fk_consents_tenant_id_mentee_id_mentees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentor_id'], ['mentors.tenant_id', 'mentors.id'], name=op.f('fk_consents_tenant_id_mentor_id_mentors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_consents_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_consents_withdrawn_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_consents_tenant_id_id'))
    )
    op.create_index('ix_consents_tenant_mentee', 'consents', ['tenant_id', 'mentee_id'], unique=False)
    op.create_index('ix_consents_tenant_mentor', 'consents', ['tenant_id', 'mentor_id'], unique=False)
    op.create_table('intake_responses',
    sa.Column('question_set_id', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('recorded_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=True),
    sa.Column('mentee_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('(mentor_id IS NULL) <> (mentee_id IS NULL)', name=op.f('ck_intake_responses_one_participant')),
    sa.ForeignKeyConstraint(['question_set_id'], ['question_sets.id'], name=op.f('fk_intake_responses_question_set_id_question_sets'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_intake_responses_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentee_id'], ['mentees.tenant_id', 'mentees.id'], name=op.f('fk_intake_responses_tenant_id_mentee_id_mentees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentor_id'], ['mentors.tenant_id', 'mentors.id'], name=op.f('fk_intake_responses_tenant_id_mentor_id_mentors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_intake_responses_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_responses')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_intake_responses_tenant_id_id'))
    )
    op.create_index('ix_intake_responses_tenant_mentee', 'intake_responses', ['tenant_id', 'mentee_id'], unique=False)
    op.create_index('ix_intake_responses_tenant_mentor', 'intake_responses', ['tenant_id', 'mentor_id'], unique=False)
    op.create_table('interviews',
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('interviewer_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.String(length=4000), nullable=True),
    sa.Column('recommendation', sa.Enum('accept', 'decline', 'refer_elsewhere', name='interview_recommendation', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('recorded_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=True),
    sa.Column('mentee_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('(mentor_id IS NULL) <> (mentee_id IS NULL)', name=op.f('ck_interviews_one_participant')),
    sa.ForeignKeyConstraint(['interviewer_id'], ['users.id'], name=op.f('fk_interviews_interviewer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_interviews_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentee_id'], ['mentees.tenant_id', 'mentees.id'], name=op.f('fk_interviews_tenant_id_mentee_id_mentees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentor_id'], ['mentors.tenant_id', 'mentors.id'], name=op.f('fk_interviews_tenant_id_mentor_id_mentors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_interviews_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interviews')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_interviews_tenant_id_id'))
    )
    op.create_index('ix_interviews_tenant_mentee', 'interviews', ['tenant_id', 'mentee_id'], unique=False)
    op.create_index('ix_interviews_tenant_mentor', 'interviews', ['tenant_id', 'mentor_id'], unique=False)
    op.create_table('mentee_languages',
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('none', 'a1', 'a2', 'b1', 'b2', 'c1', 'c2', 'native', name='mentee_language_level', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language_code', sa.String(length=8), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'mentee_id'], ['mentees.tenant_id', 'mentees.id'], name=op.f('fk_mentee_languages_tenant_id_mentee_id_mentees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_mentee_languages_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentee_languages')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_mentee_languages_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'mentee_id', 'language_code', name=op.f('uq_mentee_languages_tenant_id_mentee_id_language_code'))
    )
    op.create_index('ix_mentee_languages_tenant_language', 'mentee_languages', ['tenant_id', 'language_code'], unique=False)
    op.create_table('mentee_support_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('support_area_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['support_area_id'], ['support_areas.id'], name=op.f('fk_mentee_support_areas_support_area_id_support_areas'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentee_id'], ['mentees.tenant_id', 'mentees.id'], name=op.f('fk_mentee_support_areas_tenant_id_mentee_id_mentees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_mentee_support_areas_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentee_support_areas')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_mentee_support_areas_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'mentee_id', 'support_area_id', name=op.f('uq_mentee_support_areas_tenant_id_mentee_id_support_area_id'))
    )
    op.create_index('ix_mentee_support_areas_tenant_area', 'mentee_support_areas', ['tenant_id', 'support_area_id'], unique=False)
    op.create_table('mentor_languages',
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('a1', 'a2', 'b1', 'b2', 'c1', 'c2', 'native', name='mentor_language_level', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language_code', sa.String(length=8), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'mentor_id'], ['mentors.tenant_id', 'mentors.id'], name=op.f('fk_mentor_languages_tenant_id_mentor_id_mentors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_mentor_languages_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_languages')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_mentor_languages_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'mentor_id', 'language_code', name=op.f('uq_mentor_languages_tenant_id_mentor_id_language_code'))
    )
    op.create_index('ix_mentor_languages_tenant_language', 'mentor_languages', ['tenant_id', 'language_code'], unique=False)
    op.create_table('mentor_support_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('support_area_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['support_area_id'], ['support_areas.id'], name=op.f('fk_mentor_support_areas_support_area_id_support_areas'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentor_id'], ['mentors.tenant_id', 'mentors.id'], name=op.f('fk_mentor_support_areas_tenant_id_mentor_id_mentors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_mentor_support_areas_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_support_areas')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_mentor_support_areas_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'mentor_id', 'support_area_id', name=op.f('uq_mentor_support_areas_tenant_id_mentor_id_support_area_id'))
    )
    op.create_index('ix_mentor_support_areas_tenant_area', 'mentor_support_areas', ['tenant_id', 'support_area_id'], unique=False)
    op.create_index('ix_audit_events_tenant_record', 'audit_events', ['tenant_id', 'record_type', 'record_id'], unique=False)

    support_areas = sa.table(
        'support_areas',
        sa.column('code', sa.String), sa.column('name_pt', sa.String), sa.column('name_en', sa.String),
        sa.column('position', sa.Integer), sa.column('active', sa.Boolean),
    )
    op.bulk_insert(support_areas, [
        {'code': code, 'name_pt': name_pt, 'name_en': name_en, 'position': position, 'active': True}
        for position, (code, name_pt, name_en) in enumerate(SUPPORT_AREAS, start=1)
    ])

    _seed_intake_questionnaires()

    # The runtime roles' grants come from 0001's default privileges.
    for table in TENANT_TABLES:
        rls.enable_row_level_security(op, table)


def _seed_intake_questionnaires():
    question_sets = sa.table(
        'question_sets', sa.column('id', sa.Integer), sa.column('role', sa.String), sa.column('version', sa.Integer),
        sa.column('created_at', network.core.timeutil.UTCDateTime()),
        sa.column('published_at', network.core.timeutil.UTCDateTime()),
    )
    questions = sa.table(
        'questions', sa.column('question_set_id', sa.Integer), sa.column('kind', sa.String),
        sa.column('prompt_pt', sa.String), sa.column('prompt_en', sa.String), sa.column('choices', sa.JSON),
        sa.column('required', sa.Boolean), sa.column('position', sa.Integer),
    )
    now = network.core.timeutil.utcnow()
    op.bulk_insert(question_sets, [
        {'role': role, 'version': 1, 'created_at': now, 'published_at': now} for role in INTAKE_QUESTIONS
    ])
    set_ids = dict(op.get_bind().execute(sa.select(question_sets.c.role, question_sets.c.id)).all())
    op.bulk_insert(questions, [
        {'question_set_id': set_ids[role], 'kind': kind, 'prompt_pt': prompt_pt, 'prompt_en': prompt_en,
         'required': required, 'position': position,
         'choices': [{'value': value, 'pt': pt, 'en': en} for value, pt, en in choices]}
        for role, role_questions in INTAKE_QUESTIONS.items()
        for position, (kind, prompt_pt, prompt_en, required, choices) in enumerate(role_questions, start=1)
    ])


def downgrade():
    op.drop_index('ix_audit_events_tenant_record', table_name='audit_events')
    for table in ('intake_responses', 'partner_questions', 'questions', 'question_sets', 'mentor_support_areas',
                  'mentor_languages', 'mentee_support_areas', 'mentee_languages', 'interviews', 'consents',
                  'participant_imports', 'mentors', 'mentees', 'support_areas', 'companies'):
        op.drop_table(table)
