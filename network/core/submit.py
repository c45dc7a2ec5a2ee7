"""The one way to change data, and the one refusal type.

Every page and API write goes through `submit(service, *args, **kwargs)`: the view has
validated its input (marshmallow), the service changes the session and raises `Refused` when
a rule of the programme says no; `submit` then commits once, here at the edge, or rolls
everything back. Services never commit.

The database has the last word on the "one of" rules (one open process per mentee, one
attendance per person and activity...): a unique index refuses the second of two
simultaneous requests, and `submit` turns that `IntegrityError` into a `Refused` naming what
clashed (`CLASHES`, filled in by each feature next to its model). An edit that lost a race
with another person's (SQLAlchemy's `version_id_col`) becomes a `StaleEdit`, status 409.

A create form carries a one-time submission key (`once=`): the first request with that key
stores where it led in `submission_keys`, in its own transaction; a second request with the
same key (a double click, a retried POST, an `Idempotency-Key` header) creates nothing and is
sent to the same place. Modelled on indico's RH (load once, check once, commit once at the
edge) and flaskbb's single refusal type carrying field errors.
"""
import logging
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import abort, g, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.state import InstanceState

from network.core.extensions import db
from network.core.timeutil import UTCDateTime, utcnow

log = logging.getLogger(__name__)

SUBMISSION_KEY_FIELD = "submission_key"
MAX_SUBMISSION_KEY_LENGTH = 100


class Refused(Exception):
    """A rule refuses the change: nothing of it is saved. `message` is in the user's language,
    `field` the form input it is about (None: the whole form), `status` the HTTP status the
    page or the API answers with; `errors` are the messages per field when there are several."""

    status = 400

    def __init__(self, message, field=None, status=None, errors=None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        if status is not None:
            self.status = status
        self._errors = errors

    @property
    def errors(self):
        """The messages per form input, as the templates and the API's `details` show them."""
        if self._errors is not None:
            return self._errors
        return {self.field or "_schema": [self.message]}

    @classmethod
    def from_validation(cls, error):
        messages = error.normalized_messages()
        return cls(" ".join(_flat_messages(messages)), errors=messages)


class StaleEdit(Refused):
    """Someone else saved the record after this form was opened: nothing was overwritten."""

    status = 409

    def __init__(self, message=None, record=None):
        super().__init__(message or gettext(
            "Someone else saved this record while you were editing it. Nothing was overwritten: "
            "their values are shown beside yours. Check them, then save again to keep yours."))
        self.record = record


class Clash(Refused):
    """A "one of" rule of the database refused a change that another request made first."""

    status = 409


def _flat_messages(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _flat_messages(value)
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            yield from _flat_messages(value)
    else:
        yield str(messages)


# --- what clashed -------------------------------------------------------------------------

# Constraint name -> (field or None, message). Each feature adds its own, next to its models.
CLASHES = {}
_GENERIC_CLASH = _l("Someone else saved the same thing at the same moment, so yours was not saved. "
                    "Reload the page to see what is there now.")


def register_clashes(messages):
    """`{constraint name: message}` or `{constraint name: (field, message)}`."""
    for name, value in messages.items():
        CLASHES[name] = value if isinstance(value, tuple) else (None, value)


def clash_refusal(error):
    """The refusal for an `IntegrityError`: the clash's own message when the constraint is known."""
    name = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    field, message = CLASHES.get(name, (None, _GENERIC_CLASH))
    if name not in CLASHES:
        log.warning("integrity error on an unnamed clash (%s): %s", name, error.orig)
    return Clash(message, field=field)


# --- one-time submission keys --------------------------------------------------------------

class SubmissionKey(db.Model):
    """A create request already served: a second request with the same key from the same user
    in the same workspace goes where the first one did. Kept for `SUBMISSION_KEY_DAYS`."""

    __tablename__ = "submission_keys"
    __table_args__ = (
        sa.Index("uq_submission_keys_scope", "tenant_id", "user_id", "key", unique=True,
                 postgresql_nulls_not_distinct=True),
        sa.Index("ix_submission_keys_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(MAX_SUBMISSION_KEY_LENGTH))
    location: Mapped[str | None] = mapped_column(sa.String(500))
    record_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def purge_old_submission_keys(scheduled_for=None):
    """Daily: forget keys older than `SUBMISSION_KEY_DAYS` (a double click comes within seconds,
    a client's retried POST within hours). Each workspace's keys in its own scope (RLS)."""
    from flask import current_app

    from network.core.tenancy import tenant_context
    from network.core.tenancy.models import Tenant

    cutoff = (scheduled_for or utcnow()) - timedelta(days=current_app.config["SUBMISSION_KEY_DAYS"])
    purged = 0
    for tenant_id in [None, *db.session.scalars(sa.select(Tenant.id).order_by(Tenant.id))]:
        with tenant_context(tenant_id):
            purged += db.session.execute(
                sa.delete(SubmissionKey).where(SubmissionKey.tenant_id.is_not_distinct_from(tenant_id),
                                               SubmissionKey.created_at < cutoff)
                .execution_options(synchronize_session=False)).rowcount
    return purged


def new_submission_key():
    return secrets.token_urlsafe(18)


def submitted_key():
    """The create form's key (or the API's `Idempotency-Key`); None when the request has none."""
    key = request.headers.get("Idempotency-Key") or request.form.get(SUBMISSION_KEY_FIELD)
    key = (key or "").strip()
    return key[:MAX_SUBMISSION_KEY_LENGTH] or None


def _claim(key, user_id):
    """Take the key for this request: (None, the new row's id), or (the earlier request's
    location and record id, None) when it was used. A concurrent request with the same key
    waits here (on the unique index) until the first one commits or rolls back."""
    from network.core.tenancy import current_tenant_id

    tenant_id = current_tenant_id()
    claimed = db.session.execute(
        postgresql.insert(SubmissionKey)
        .values(tenant_id=tenant_id, user_id=user_id, key=key, created_at=utcnow())
        .on_conflict_do_nothing()
        .returning(SubmissionKey.id)
    ).scalar()
    if claimed is not None:
        return None, claimed
    earlier = db.session.execute(
        sa.select(SubmissionKey.location, SubmissionKey.record_id).where(
            SubmissionKey.tenant_id.is_not_distinct_from(tenant_id), SubmissionKey.user_id == user_id,
            SubmissionKey.key == key)
    ).one()
    return earlier, None


# --- the submit path ---------------------------------------------------------------------

class Outcome(NamedTuple):
    """What `submit` did: the service's `result`, or the `refusal`; `replayed` is the earlier
    request's (location, record id) when the submission key had been used."""

    result: object = None
    refusal: Refused | None = None
    replayed: tuple | None = None

    @property
    def ok(self):
        return self.refusal is None and self.replayed is None


def submit(service, *args, once=None, location=None, version=None, **kwargs):
    """Run `service(*args, **kwargs)` as one unit of work and commit it, or roll it back on any
    refusal (a `Refused`, a marshmallow `ValidationError` from the service, a unique or
    version clash in the database). Nothing is committed anywhere else in a request.

    `once`: the one-time submission key of a create (`submitted_key()`); `location(result)` gives
    where the request leads, stored with the key (and the result's id) for a second request.
    `version=(record, submitted_version)`: the form was opened on that version of `record`;
    another one since then refuses with `StaleEdit`."""
    claim_id = None
    try:
        if once:
            earlier, claim_id = _claim(once, current_user.id)
            if earlier is not None:
                db.session.rollback()
                return Outcome(replayed=tuple(earlier))
        if version is not None:
            check_version(*version)
        result = service(*args, **kwargs)
        db.session.flush()
        if claim_id is not None:
            db.session.execute(sa.update(SubmissionKey).where(SubmissionKey.id == claim_id).values(
                location=location(result) if location else None, record_id=getattr(result, "id", None)))
        _commit(result)
    except Refused as refusal:
        db.session.rollback()
        return Outcome(refusal=refusal)
    except ValidationError as error:
        db.session.rollback()
        return Outcome(refusal=Refused.from_validation(error))
    except IntegrityError as error:
        db.session.rollback()
        return Outcome(refusal=clash_refusal(error))
    except StaleDataError:
        db.session.rollback()
        return Outcome(refusal=StaleEdit())
    return Outcome(result=result)


def _commit(result):
    kept = _loaded_columns(result)
    # A connection lost from here on leaves the outcome unknown (network.core.errors says so).
    g.committing = True
    db.session.commit()
    _keep_columns(result, kept)
    # Saved: a connection lost from here on (the next page reloading the record) says so.
    g.committing, g.saved = False, True


def _loaded_columns(result):
    """The column values of the service's result (a mapped record), as this transaction wrote them."""
    state = sa.inspect(result, raiseerr=False)
    if not isinstance(state, InstanceState):
        return None
    return {column.key: state.dict[column.key] for column in state.mapper.column_attrs if column.key in state.dict}


def _keep_columns(result, kept):
    """Put back the result's columns that the commit expired: they are what was just committed,
    and the next page (a redirect to the new record, a flash naming it) needs no query to read
    them, so a connection lost right after the commit does not cost the user their success page."""
    if not kept:
        return
    state = sa.inspect(result)
    for key, value in kept.items():
        if key not in state.dict:
            set_committed_value(result, key, value)


def check_version(record, submitted_version):
    """Refuse an edit made on an older version of `record` than the one stored."""
    if submitted_version is not None and submitted_version != record.row_version:
        raise StaleEdit(record=record)


# --- loading ----------------------------------------------------------------------------

def get_or_404(model, ident, **options):
    """The row of `model` with this id in the current workspace (the tenant scope applies to
    every query of a tenant-owned model), or 404: another workspace's ids look unknown."""
    row = db.session.get(model, ident, **options)
    if row is None:
        abort(404)
    return row


def found_or_404(row):
    """For a service's own loader (`services.get_process(id)`): 404 when it found nothing."""
    if row is None:
        abort(404)
    return row


def redirect_replayed(outcome):
    """The page's answer to a second request with a used submission key: where the first led."""
    from flask import flash, redirect

    flash(gettext("This form had already been sent: nothing was saved twice. Here is the result."), "info")
    return redirect(outcome.replayed[0] or request.path)


def submission_key_field():
    """For create forms (a template global): the hidden input carrying the one-time key. A form
    shown again after a refusal keeps its key: the refused attempt saved nothing."""
    from markupsafe import Markup, escape

    key = (request.form.get(SUBMISSION_KEY_FIELD) or "").strip()[:MAX_SUBMISSION_KEY_LENGTH] or new_submission_key()
    return Markup(f'<input type="hidden" name="{SUBMISSION_KEY_FIELD}" value="{escape(key)}">')


def init_app(app):
    app.add_template_global(submission_key_field)
