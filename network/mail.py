"""E-mail: rendered in the recipient's language, delivered by a job."""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale

from network.jobs import enqueue

log = logging.getLogger(__name__)


def send_email(recipient, subject, template, locale, **context):
    """Render `template` (a .txt template) in `locale` and enqueue its delivery."""
    with force_locale(locale):
        message = {
            "to": recipient,
            "subject": str(subject),
            "body": render_template(template, **context),
        }
    enqueue(deliver_email, message, queue="mail")


def deliver_email(message):
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault("sent_mail", []).append(message)
    elif backend == "console":
        log.warning("e-mail to %s: %s\n%s", message["to"], message["subject"], message["body"])
    elif backend == "smtp":
        _deliver_by_smtp(message)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


def _deliver_by_smtp(message):
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message["to"]
    email["Subject"] = message["subject"]
    email.set_content(message["body"])
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)
