"""The export a person reads (issue 21): labels and local dates in their language on the page
and in a PDF they can be handed; the JSON keeps the codes."""
import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from network.core.accounts.models import User
from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tests.factories import login, two_partner_network
from tests.privacy.helpers import mentee_with_everything

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
RAW = ("in_person", "mixed", "residence_permit", "Invitation<", "agreement_signed", ">online<", ">2024-01-12<")


@pytest.fixture
def world(app):
    with app.app_context():
        network = two_partner_network()
        staff = db.session.scalar(sa.select(User).filter_by(email=network.alpha_staff))
        ids = mentee_with_everything(network.alpha.id, staff)
        db.session.commit()
        return network, ids


@pytest.mark.parametrize("locale, words", [
    ("pt_PT", ("Misto", "12 de janeiro de 2024", "Convite para o portal", "Ativo", "Descarregar para entregar (PDF)")),
    ("en", ("Mixed", "January 12, 2024", "Portal invitation", "Active", "Download to hand over (PDF)")),
])
def test_the_page_shows_labels_and_local_dates(client, world, locale, words):
    network, ids = world
    login(client, network.alpha_staff, locale=locale)
    page = client.get(f"/t/alpha/mentees/{ids.mentee_id}/privacy").get_data(as_text=True)
    for word in words:
        assert word in page, word
    for raw in RAW:
        assert raw not in page, raw
    assert not ISO_TIME.search(page)
    document = client.get(f"/t/alpha/mentees/{ids.mentee_id}/privacy/export.json").get_json()
    assert document["records"]["agreements"][0]["mode"] == "mixed"  # the codes stay in the JSON


def test_the_pdf_holds_the_same_readable_text_and_is_audited(app, client, world):
    network, ids = world
    login(client, network.alpha_staff, locale="pt_PT")
    response = client.get(f"/t/alpha/mentees/{ids.mentee_id}/privacy/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="mentee-{ids.mentee_id}-personal-data.pdf"'
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = re.sub(r"\s+", " ", text)
    for words in ("Dados pessoais de Zorvana Quixley", "Consentimentos", "Quixley has two children and asthma",
                  "Misto", "12 de janeiro de 2024", "Convite para o portal"):
        assert words in text, words
    assert "mixed" not in text and not ISO_TIME.search(text)
    with app.app_context(), tenant_context(network.alpha.id):
        formats = db.session.scalars(sa.select(AuditEvent.changes).filter_by(action="privacy.exported")).all()
    assert {"format": "pdf"} in formats
