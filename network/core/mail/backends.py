"""Where e-mails go: `memory` (tests), `console` (log), `file` (development), `smtp` (production).

A backend raises `PermanentDeliveryError` when trying again cannot help (the server refuses
the recipient); any other exception is transient and the message is retried.
"""
import logging
import os
import re
import smtplib
import tempfile
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


class PermanentDeliveryError(Exception):
    pass


def deliver(email):
    """`email`: a dict with to, subject, body and message_id."""
    backend = current_app.config["MAIL_BACKEND"]
    try:
        BACKENDS[backend](email)
    except KeyError:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}") from None


def _to_memory(email):
    sent = current_app.extensions.setdefault("sent_mail", [])
    if all(previous["message_id"] != email["message_id"] for previous in sent):
        sent.append(email)


def _to_console(email):
    log.warning("e-mail %s to %s: %s\n%s", email["message_id"], email["to"], email["subject"], email["body"])


def _to_file(email):
    """One .eml file per Message-ID, created atomically: a replay of the same message
    (a retried job) finds the file there and writes nothing."""
    directory = Path(current_app.config["MAIL_FILE_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / (re.sub(r"[^A-Za-z0-9.@_-]", "_", email["message_id"].strip("<>")) + ".eml")
    with tempfile.NamedTemporaryFile("wb", dir=directory, suffix=".tmp", delete=False) as draft:
        draft.write(bytes(_mime(email)))
    try:
        os.link(draft.name, target)
    except FileExistsError:
        log.info("e-mail %s was already written: not writing it again", email["message_id"])
    finally:
        os.unlink(draft.name)


def _mime(email):
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = email["to"]
    message["Subject"] = email["subject"]
    message["Message-ID"] = email["message_id"]
    message.set_content(email["body"])
    for attachment in email.get("attachments", ()):
        _attach_text(message, attachment)
    return message


def _attach_text(message, attachment):
    """A text attachment ("text/calendar; method=REQUEST"): its parameters kept on the part."""
    content_type, *parameters = (part.strip() for part in attachment["content_type"].split(";"))
    maintype, subtype = content_type.split("/")
    if maintype != "text":
        raise ValueError(f"only text attachments are sent, not {content_type}")
    message.add_attachment(attachment["content"], subtype=subtype, filename=attachment["filename"],
                           params=dict(parameter.split("=", 1) for parameter in parameters))


def _by_smtp(email):
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(_mime(email))
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentDeliveryError(f"the server refused the recipient: {error.recipients}") from error
    except smtplib.SMTPResponseException as error:
        if error.smtp_code >= 500:
            raise PermanentDeliveryError(
                f"the server refused the message: {error.smtp_code} {error.smtp_error!r}") from error
        raise


BACKENDS = {"memory": _to_memory, "console": _to_console, "file": _to_file, "smtp": _by_smtp}
