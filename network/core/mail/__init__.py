"""E-mail: written to the outbox in the caller's transaction, sent by a job after it commits.

`send_email(recipient, template, locale, **context)` is the one way to send. The template
(a .txt with `subject` and `body` blocks) is rendered by the send job, in `locale`; the
context must be JSON data (strings, numbers, lists, dicts, aware datetimes).
"""
from network.core.mail.outbox import send_email  # noqa: F401
