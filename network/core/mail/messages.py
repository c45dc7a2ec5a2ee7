"""The outbox's rows as the sending side and the pages read them: the tenant scope of every
query and the codec of a message's context (JSON with dates). Below both `outbox` (which writes
and schedules) and `delivery` (the send job), so neither imports the other's internals."""
from datetime import date, datetime

import sqlalchemy as sa

from network.core.extensions import db
from network.core.mail.models import OutboxMessage
from network.core.tenancy import current_tenant_id

_DATETIME_KEY = "$datetime"
_DATE_KEY = "$date"


def in_scope():
    """The messages of the tenant in context, or the network-level ones outside any tenant."""
    tenant_id = current_tenant_id()
    return OutboxMessage.tenant_id.is_(None) if tenant_id is None else OutboxMessage.tenant_id == tenant_id


def find_message(message_id):
    return db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.id == message_id, in_scope()))


def encode_context(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in an e-mail context: use network.core.timeutil.utcnow()")
        return {_DATETIME_KEY: value.isoformat()}
    if isinstance(value, date):
        return {_DATE_KEY: value.isoformat()}
    if isinstance(value, dict):
        return {str(key): encode_context(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_context(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"{type(value).__name__} cannot go into an e-mail context: pass plain data")


def decode_context(value):
    if isinstance(value, dict):
        if set(value) == {_DATETIME_KEY}:
            return datetime.fromisoformat(value[_DATETIME_KEY])
        if set(value) == {_DATE_KEY}:
            return date.fromisoformat(value[_DATE_KEY])
        return {key: decode_context(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode_context(item) for item in value]
    return value
