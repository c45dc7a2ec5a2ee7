"""The e-mail outbox without Redis: written in the caller's transaction, sent after commit
by the same job a worker runs, once, in the recipient's language; failures say why."""
import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from network.core.database import owner_engine
from network.core.extensions import db
from network.core.mail import send_email
from network.core.mail.delivery import deliver_message
from network.core.mail.models import OutboxMessage
from network.core.mail.outbox import purge_old_messages
from network.core.tenancy import tenant_context
from network.core.timeutil import utcnow
from tests.factories import login, make_tenant, make_user

RESET_TEMPLATE = "accounts/email/password_reset.txt"


def _messages(app):
    """Every message, read as the tables' owner: past Row-Level Security, as a test may."""
    with app.app_context(), owner_engine().connect() as connection:
        return connection.execute(
            sa.text("SELECT recipient, status, attempts, last_error, tenant_id FROM outbox ORDER BY id")
        ).all()


def _as_owner(statement):
    with owner_engine().begin() as connection:
        connection.execute(statement)


def _invite(client, network, email="nova@example.pt"):
    login(client, network.alpha_admin, locale="en")
    return client.post(f"/t/{network.alpha.slug}/members", data={"email": email, "role": "staff"})


def test_an_invitation_is_written_to_the_outbox_and_sent_after_commit(app, client, two_partners, sent_mail):
    assert _invite(client, two_partners).status_code == 302
    ((recipient, status, attempts, last_error, tenant_id),) = _messages(app)
    assert (recipient, status, attempts, last_error, tenant_id) == (
        "nova@example.pt", "sent", 1, None, two_partners.alpha.id)
    (message,) = sent_mail
    assert message["to"] == "nova@example.pt"
    # In the tenant's language (Portuguese), whatever the inviter's.
    assert "Câmara Municipal Alfa" in message["subject"] and not message["subject"].startswith("Invitation")
    assert re.fullmatch(r"<\S+@rede-mentores\.pt>", message["message_id"])


def test_nothing_is_sent_when_the_transaction_rolls_back(app, sent_mail):
    with app.app_context():
        send_email("ana@example.pt", RESET_TEMPLATE, "en", name="Ana", reset_url="http://x/")
        db.session.rollback()
        db.session.commit()
    assert sent_mail == [] and _messages(app) == []


def test_messages_render_in_the_recipients_language(app, client, two_partners, sent_mail):
    with app.app_context():
        make_user("english@example.pt", "Emma", locale="en", roles=[])
        db.session.commit()
    client.post("/password/forgot", data={"email": "english@example.pt"})
    client.post("/password/forgot", data={"email": two_partners.alpha_staff})
    english, portuguese = sent_mail
    assert english["subject"] == "Choose a new password for Rede Mentores"
    assert english["body"].startswith("Hello Emma,")
    assert portuguese["subject"] != english["subject"] and portuguese["body"].startswith("Olá")
    assert [row.tenant_id for row in _messages(app)] == [None, None]  # network-level messages


def test_a_message_is_never_delivered_twice(app, sent_mail, caplog):
    with app.app_context():
        message = send_email("ana@example.pt", RESET_TEMPLATE, "en", name="Ana", reset_url="http://x/")
        db.session.commit()
        message_id = message.id
    with app.app_context(), caplog.at_level(logging.INFO):
        deliver_message(message_id)
        db.session.commit()
    assert len(sent_mail) == 1 and "is sent: nothing to send" in caplog.text
    assert _messages(app)[0].attempts == 1


def test_a_job_for_a_message_that_no_longer_exists_ends_cleanly(app, caplog):
    with app.app_context():
        deliver_message(4242)
    assert "outbox message 4242 does not exist" in caplog.text


def test_a_job_cannot_send_another_tenants_message(app, sent_mail, caplog):
    with app.app_context():
        alpha, beta = make_tenant("alpha"), make_tenant("beta")
        db.session.commit()
        alpha_id, beta_id = alpha.id, beta.id
        with tenant_context(beta_id):
            message = OutboxMessage(tenant_id=beta_id, recipient="b@beta.pt", locale="en", template=RESET_TEMPLATE,
                                    context={"name": "B", "reset_url": "http://x/"}, message_id="<b@test>")
            db.session.add(message)
            db.session.flush()
            message_id = message.id
        db.session.commit()
        with tenant_context(alpha_id):
            deliver_message(message_id)
    assert sent_mail == [] and "does not exist (deleted, or not this tenant's)" in caplog.text
    assert _messages(app)[0].status == "pending"


def test_an_invalid_recipient_fails_with_the_reason_shown_to_staff(app, client, two_partners, sent_mail):
    with app.app_context():
        with tenant_context(two_partners.alpha.id):
            send_email("not-an-address", RESET_TEMPLATE, "en", name="X", reset_url="http://x/")
        db.session.commit()
    ((_, status, attempts, last_error, _),) = _messages(app)
    assert (status, attempts) == ("failed", 1) and "invalid recipient address" in last_error
    assert sent_mail == []
    login(client, two_partners.alpha_staff, locale="en")
    page = client.get(f"/t/{two_partners.alpha.slug}/outbox").get_data(as_text=True)
    assert "not-an-address" in page and "Failed" in page and "invalid recipient address" in page


def test_a_transient_failure_is_retried_with_back_off_then_marked_failed(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens: connection refused
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 2)
    with app.app_context():
        message = send_email("ana@example.pt", RESET_TEMPLATE, "en", name="Ana", reset_url="http://x/")
        db.session.commit()  # the in-process send fails; the request would carry on
        message_id = message.id
    ((_, status, attempts, last_error, _),) = _messages(app)
    assert (status, attempts) == ("pending", 1) and "ConnectionRefusedError" in last_error
    with app.app_context():
        waiting = db.session.get(OutboxMessage, message_id)
        assert waiting.next_attempt_at >= utcnow() + timedelta(seconds=app.config["JOB_RETRY_INTERVALS"][0] - 5)
        deliver_message(message_id)
        db.session.commit()
    ((_, status, attempts, last_error, _),) = _messages(app)
    assert (status, attempts) == ("failed", 2) and "ConnectionRefusedError" in last_error


def test_the_sweeper_sends_what_is_still_pending(app, sent_mail, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_SWEEP_GRACE", 0)
    with app.app_context():
        tenant_id = make_tenant("alpha").id
        db.session.commit()
        # Written while no job could be enqueued: the rows are pending, nothing was sent.
        for scope in (None, tenant_id):
            with tenant_context(scope):
                db.session.add(OutboxMessage(tenant_id=scope, recipient=f"{scope}@example.pt", locale="en",
                                             template=RESET_TEMPLATE, context={"name": "A", "reset_url": "u"},
                                             message_id=f"<{scope}@test>"))
                db.session.flush()
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "sweep"])
    assert result.exit_code == 0 and "2 message(s) enqueued" in result.output
    assert sorted(message["to"] for message in sent_mail) == sorted(["None@example.pt", f"{tenant_id}@example.pt"])
    assert {row.status for row in _messages(app)} == {"sent"}
    assert app.test_cli_runner().invoke(args=["outbox", "sweep"]).output.startswith("0 message(s)")


def test_a_dedupe_key_writes_a_message_once(app, sent_mail):
    with app.app_context():
        for _ in range(2):
            send_email("ana@example.pt", RESET_TEMPLATE, "en", dedupe_key="reset:ana:today", name="A", reset_url="u")
            db.session.commit()
    assert len(sent_mail) == 1 and len(_messages(app)) == 1


def test_retention_deletes_old_sent_and_failed_messages_only(app, monkeypatch):
    with app.app_context():
        tenant = make_tenant("alpha")
        db.session.commit()
        old = utcnow() - timedelta(days=app.config["OUTBOX_RETENTION_DAYS"] + 1)
        with tenant_context(tenant.id):
            for number, (status, created_at) in enumerate(
                    [("sent", old), ("failed", old), ("pending", old), ("sent", utcnow())]):
                db.session.add(OutboxMessage(tenant_id=tenant.id, recipient="a@example.pt", locale="en",
                                             template=RESET_TEMPLATE, context={}, message_id=f"<{number}@test>",
                                             status=status, created_at=created_at))
        db.session.commit()
        assert purge_old_messages() == 2
        db.session.commit()
    assert sorted(row.status for row in _messages(app)) == ["pending", "sent"]


def test_the_file_backend_writes_one_file_per_message_even_when_replayed(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "file")
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path))
    with app.app_context():
        message = send_email("ana@example.pt", RESET_TEMPLATE, "en", name="Ana", reset_url="http://x/")
        db.session.commit()
        message_id = message.id
        # A replay, as after a worker died before recording the delivery.
        _as_owner(sa.update(OutboxMessage).values(status="pending"))
        deliver_message(message_id)
        db.session.commit()
    (written,) = tmp_path.glob("*.eml")
    assert "Subject: Choose a new password for Rede Mentores" in written.read_text()
    assert not list(tmp_path.glob("*.tmp"))


def test_staff_see_their_tenants_outbox_and_resend_a_failed_message(app, client, two_partners, sent_mail):
    with app.app_context():
        for tenant, recipient in ((two_partners.alpha, "broken"), (two_partners.beta, "beta-secret@example.pt")):
            with tenant_context(tenant.id):
                send_email(recipient, RESET_TEMPLATE, "en", name="X", reset_url="u")
            db.session.commit()
        send_email("network-level@example.pt", RESET_TEMPLATE, "en", name="X", reset_url="u")
        db.session.commit()
        with tenant_context(two_partners.alpha.id):
            failed_id = db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.recipient == "broken"))
    login(client, two_partners.alpha_staff, locale="en")
    page = client.get(f"/t/{two_partners.alpha.slug}/outbox").get_data(as_text=True)
    assert "broken" in page and "beta-secret" not in page and "network-level" not in page
    with app.app_context():
        _as_owner(sa.update(OutboxMessage).where(OutboxMessage.id == failed_id).values(recipient="fixed@example.pt"))
    response = client.post(f"/t/{two_partners.alpha.slug}/outbox/{failed_id}/resend", follow_redirects=True)
    assert "will be sent again" in response.get_data(as_text=True)
    assert "fixed@example.pt" in [message["to"] for message in sent_mail]
    again = client.post(f"/t/{two_partners.alpha.slug}/outbox/{failed_id}/resend", follow_redirects=True)
    assert "Only a message that failed can be sent again." in again.get_data(as_text=True)


def test_mentors_and_mentees_do_not_see_the_outbox(app, client, two_partners):
    with app.app_context():
        tenant_id = two_partners.alpha.id
        from network.core.tenancy.models import Tenant

        make_user("mentor@example.pt", roles=[(db.session.get(Tenant, tenant_id), "mentor")])
        db.session.commit()
    login(client, "mentor@example.pt", locale="en")
    assert client.get(f"/t/{two_partners.alpha.slug}/outbox").status_code == 404


@pytest.mark.parametrize("who", ["alpha_admin", "alpha_staff"])
def test_only_coordinators_see_the_jobs_page(client, two_partners, who):
    login(client, getattr(two_partners, who), locale="en")
    assert client.get(f"/t/{two_partners.alpha.slug}/jobs").status_code == 404
    assert client.post(f"/t/{two_partners.alpha.slug}/jobs/retry", data={"job_id": "x"}).status_code == 404


def test_the_jobs_page_without_redis_says_jobs_run_in_process(client, two_partners, sent_mail):
    client.post("/password/forgot", data={"email": two_partners.alpha_staff})
    login(client, two_partners.coordinator, locale="en")
    page = client.get(f"/t/{two_partners.coordination.slug}/jobs").get_data(as_text=True)
    assert "jobs run at once, inside the web application" in page
    assert "E-mail outbox of the network" in page


def test_row_level_security_shows_a_transaction_only_its_tenants_messages(app):
    with app.app_context():
        alpha, beta = make_tenant("alpha").id, make_tenant("beta").id
        db.session.commit()
        for tenant_id in (None, alpha, beta):
            with tenant_context(tenant_id):
                db.session.add(OutboxMessage(tenant_id=tenant_id, recipient="x@example.pt", locale="en",
                                             template=RESET_TEMPLATE, context={}, message_id=f"<{tenant_id}@t>",
                                             status="sent"))
                db.session.flush()
        db.session.commit()
        for tenant_id in (None, alpha):
            with tenant_context(tenant_id):
                seen = db.session.execute(sa.text("SELECT tenant_id FROM outbox")).scalars().all()
                assert seen == [tenant_id]
            db.session.rollback()
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"), tenant_context(alpha):
            db.session.execute(sa.text(
                f"INSERT INTO outbox (tenant_id, recipient, locale, template, context, message_id, status, attempts, "
                f"created_at, next_attempt_at) VALUES ({beta}, 'x', 'en', 't', '{{}}', '<forged>', 'pending', 0, "
                f"now(), now())"))
        db.session.rollback()
