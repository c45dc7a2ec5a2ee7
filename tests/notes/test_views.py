"""Case-file pages: staff add and read; a file always comes back as a download; nobody else
(another partner's staff, a coordinator, the participant) reaches a note or a file by id."""
import io
import re

import pytest
import sqlalchemy as sa

from network.core.accounts.models import Membership, User
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.notes import services as notes
from tenants.notes.models import CaseAttachment, CaseNote
from tests.factories import login, make_mentee, make_user, two_partner_network

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def world(app):
    with app.app_context():
        network = two_partner_network()
        staff = db.session.scalar(sa.select(User).filter_by(email=network.alpha_staff))
        with tenant_context(network.alpha.id):
            mentee = make_mentee("Amina Mentoranda", actor=staff)
            note = notes.add_note(mentee, "Precisa de apoio com o contrato de arrendamento.", staff)
            attachment = notes.add_attachment(mentee, "contrato.pdf", PDF, staff, 1024 * 1024)
            participant = make_user("amina@example.pt", "Amina", [])
            mentee.user_id = participant.id
            db.session.add(Membership(user_id=participant.id, tenant_id=network.alpha.id, role="mentee"))
        db.session.commit()
        return network, mentee.id, note.id, attachment.id


def test_staff_write_a_note_and_add_a_file_on_the_mentee_page(client, world):
    network, mentee_id, _, _ = world
    login(client, network.alpha_staff)
    base = f"/t/{network.alpha.slug}"
    response = client.post(f"{base}/case-file/mentees/{mentee_id}/notes", data={"body": "Ligou a pedir ajuda."})
    assert response.status_code == 302 and response.location.endswith("#case-file")
    response = client.post(f"{base}/case-file/mentees/{mentee_id}/attachments",
                           data={"file": (io.BytesIO(b"<html><script>alert(1)</script>"), "recibo.pdf")},
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Este ficheiro não é um PDF" in page
    assert "Ligou a pedir ajuda." in page and "contrato.pdf" in page and "recibo.pdf" not in page


def test_a_file_is_downloaded_never_shown_inline_and_the_download_is_audited(client, world):
    network, _, _, attachment_id = world
    login(client, network.alpha_staff)
    response = client.get(f"/t/{network.alpha.slug}/case-file/attachments/{attachment_id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"] == "attachment; filename=contrato.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_an_edit_keeps_the_history_on_the_page(client, world):
    network, mentee_id, note_id, _ = world
    login(client, network.alpha_staff)
    base = f"/t/{network.alpha.slug}"
    form = client.get(f"{base}/case-file/notes/{note_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    response = client.post(f"{base}/case-file/notes/{note_id}/edit",
                           data={"body": "Precisa de apoio com o arrendamento (resolvido).", "version": version},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Precisa de apoio com o arrendamento (resolvido)." in page
    assert "1 versão anterior" in page and "Precisa de apoio com o contrato de arrendamento." in page


@pytest.mark.parametrize("who", ["beta_staff", "beta_admin", "coordinator", "participant"])
def test_nobody_but_the_partners_staff_reads_a_note_or_downloads_a_file_by_id(client, world, who):
    network, mentee_id, note_id, attachment_id = world
    login(client, "amina@example.pt" if who == "participant" else getattr(network, who))
    for slug in {network.alpha.slug, network.beta.slug}:
        base = f"/t/{slug}/case-file"
        for method, url in (("GET", f"{base}/attachments/{attachment_id}"), ("GET", f"{base}/notes/{note_id}/edit"),
                            ("POST", f"{base}/notes/{note_id}/edit"),
                            ("POST", f"{base}/attachments/{attachment_id}/delete"),
                            ("POST", f"{base}/mentees/{mentee_id}/notes")):
            assert client.open(url, method=method, data={"body": "x"}).status_code == 404, (who, method, url)
    with client.application.app_context(), tenant_context(network.alpha.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseAttachment)) == 1
        assert [note.body for note in db.session.scalars(sa.select(CaseNote))] == [
            "Precisa de apoio com o contrato de arrendamento."]
