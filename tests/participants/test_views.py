"""The staff pages for mentors and mentees, as a case manager uses them."""
from contextlib import contextmanager
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from network.core.accounts.models import User
from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.reference.services import create_company
from network.core.tenancy import tenant_context
from network.core.tenancy.models import Tenant
from tenants.participants.models import Consent, Mentee, Mentor
from tests.factories import login, make_mentee, make_mentor, make_user


@pytest.fixture
def staff_client(client, two_partners):
    login(client, two_partners.alpha_staff, locale="en")
    return client


@pytest.fixture
def alpha(app, two_partners):
    """Partner alpha: its slug, and `records()` to create or read its rows (committed at the end)."""
    @contextmanager
    def records():
        with app.app_context(), tenant_context(two_partners.alpha.id):
            yield
            db.session.commit()

    return SimpleNamespace(slug=two_partners.alpha.slug, records=records)


def _page(response):
    return response.get_data(as_text=True)


def test_staff_find_the_lists_in_the_workspace_menu(staff_client, two_partners):
    page = _page(staff_client.get(f"/t/{two_partners.alpha.slug}/"))
    assert f'href="/t/{two_partners.alpha.slug}/mentors"' in page
    assert f'href="/t/{two_partners.alpha.slug}/mentees"' in page


def test_mentors_and_mentees_of_a_workspace_are_not_for_mentors(app, client, two_partners):
    with app.app_context():
        alpha = db.session.scalar(sa.select(Tenant).filter_by(slug="alpha"))
        make_user("mentor@alpha.pt", roles=[(alpha, "mentor")])
        db.session.commit()
    login(client, "mentor@alpha.pt", locale="en")
    assert client.get("/t/alpha/mentees").status_code == 404
    assert client.get("/t/alpha/mentors/new").status_code == 404


def test_a_mentee_is_registered_through_the_form(app, staff_client, alpha):
    response = staff_client.post(f"/t/{alpha.slug}/mentees/new", data={
        "full_name": "Amina Idris", "email": "Amina@Example.pt", "phone": "", "municipality": "Amadora",
        "country_of_origin": "SD", "nationality": "SD", "arrival_year": "2023", "portuguese_level": "a2",
        "languages-0-code": "ar", "languages-0-level": "native", "languages-1-code": "en", "languages-1-level": "b1",
        "need-1": "qualification_job_search", "need-2": "portuguese_language", "need-3": "",
        "availability_days": ["mon", "wed"], "availability_periods": ["evening"],
        "gender": "female", "preferred_mentor_gender": "female", "referral_source": "social_services",
    })
    assert response.status_code == 302
    page = _page(staff_client.get(response.location))
    assert "Amina Idris is registered." in page
    assert "Sudan" in page and "Arabic (Native speaker)" in page and "Portuguese (A2 – elementary)" in page
    assert "Monday, Wednesday, Evening" in page
    with alpha.records():
        mentee = db.session.scalar(sa.select(Mentee))
        assert mentee.email == "amina@example.pt"
        assert [link.support_area.code for link in mentee.support_areas] == [
            "qualification_job_search", "portuguese_language"]


def test_a_form_with_errors_is_shown_again_with_what_was_typed(app, staff_client, alpha):
    with alpha.records():
        make_mentor("Rui Costa", email="rui@example.pt")
    response = staff_client.post(f"/t/{alpha.slug}/mentors/new", data={
        "full_name": "Rui Costa Segundo", "email": "rui@example.pt", "municipality": "",
        "hours_per_week": "90", "training_completed_on": "2026-13-40",
        "languages-0-code": "klingon", "languages-0-level": "b1", "support_areas": ["housing"],
        "availability_days": ["mon", "someday"],
    })
    page = _page(response)
    assert response.status_code == 400
    assert 'value="Rui Costa Segundo"' in page
    assert "This field is required." in page
    assert "Enter a number from 1 to 40." in page
    assert "Enter a real date, like 2026-03-31." in page
    assert 'id="f-languages-0-code-error"' in page and 'aria-describedby="f-languages-0-code-error"' in page
    assert 'value="housing" checked' in page
    with alpha.records():
        assert db.session.scalar(sa.select(sa.func.count(Mentor.id))) == 1


def test_a_duplicate_person_is_reported_not_stored(app, staff_client, alpha):
    with alpha.records():
        make_mentee("Amina Idris", email="amina@example.pt", phone="+351912345678")
    response = staff_client.post(f"/t/{alpha.slug}/mentees/new", data={
        "full_name": "Amina I.", "email": "", "phone": "+351 912 345 678", "municipality": "Lisboa"})
    assert response.status_code == 400
    assert "A mentee with this phone number is already registered." in _page(response)
    with alpha.records():
        assert db.session.scalar(sa.select(sa.func.count(Mentee.id))) == 1


def test_the_list_searches_filters_and_pages(app, staff_client, alpha):
    with alpha.records():
        for number in range(27):
            make_mentor(f"Mentor {number:02d}", email=f"m{number}@example.pt",
                        municipality="Braga" if number == 3 else "Lisboa",
                        support_areas=["housing"] if number % 2 else [])
    page = _page(staff_client.get(f"/t/{alpha.slug}/mentors"))
    assert "27 people found" in page and "Page 1 of 2" in page and "Mentor 24" in page and "Mentor 25" not in page
    second = _page(staff_client.get(f"/t/{alpha.slug}/mentors?page=2"))
    assert "Mentor 25" in second and 'rel="prev"' in second
    filtered = _page(staff_client.get(f"/t/{alpha.slug}/mentors?municipality=Braga&support_area=housing"))
    assert "1 person found" in filtered and "Mentor 03" in filtered
    assert "Mentor 01" in _page(staff_client.get(f"/t/{alpha.slug}/mentors?q=mentor+01"))
    assert "Mentor 26" in _page(staff_client.get(f"/t/{alpha.slug}/mentors?sort=name&direction=desc"))


def test_unknown_filter_values_are_reported(staff_client, two_partners):
    response = staff_client.get(f"/t/{two_partners.alpha.slug}/mentees?status=emperor&support_area=flying&page=x")
    page = _page(response)
    assert response.status_code == 400
    assert page.count("Choose one of the options.") == 2 and "Enter a whole number." in page


def test_every_read_of_a_persons_record_is_audited(app, staff_client, alpha):
    with alpha.records():
        mentee_id = make_mentee("Amina Idris").id
        mentor_id = make_mentor("Rui Costa").id
    for _ in range(2):
        assert staff_client.get(f"/t/{alpha.slug}/mentees/{mentee_id}").status_code == 200
    assert staff_client.get(f"/t/{alpha.slug}/mentors/{mentor_id}").status_code == 200
    with alpha.records():
        reads = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "participant.viewed")).all()
        assert [(event.record_type, event.record_id) for event in reads] == [("Mentee", mentee_id)] * 2 + [
            ("Mentor", mentor_id)]
        assert all(event.actor.email == "staff@alpha.pt" for event in reads)


def test_editing_keeps_what_is_there_and_shows_the_change_in_the_history(app, staff_client, alpha):
    with alpha.records():
        mentor_id = make_mentor("Rui Costa", email="rui@example.pt", support_areas=["housing"],
                                languages=[{"code": "en", "level": "c1"}]).id
    form = _page(staff_client.get(f"/t/{alpha.slug}/mentors/{mentor_id}/edit"))
    assert 'value="rui@example.pt"' in form and 'value="housing" checked' in form
    response = staff_client.post(f"/t/{alpha.slug}/mentors/{mentor_id}/edit", data={
        "full_name": "Rui Costa", "email": "rui@example.pt", "municipality": "Sintra",
        "languages-0-code": "en", "languages-0-level": "c2", "support_areas": ["housing", "health"]})
    assert response.status_code == 302
    page = _page(staff_client.get(response.location))
    assert "The changes are saved." in page
    assert ("Changed a participant's details: Municipality of residence, Languages spoken, Support areas"
            in page)


def test_consent_is_recorded_and_withdrawn_from_the_detail_page(app, staff_client, alpha):
    with alpha.records():
        mentee_id = make_mentee().id
    url = f"/t/{alpha.slug}/mentees/{mentee_id}"
    refused = staff_client.post(f"{url}/consents", data={"purpose": "programme", "text_version": "2026-01",
                                                         "given_on": "2999-01-01"})
    assert refused.status_code == 400 and "The date cannot be in the future." in _page(refused)
    with alpha.records():  # the page shown again is a read of the mentee too
        assert db.session.scalar(sa.select(AuditEvent.record_id).where(AuditEvent.action == "participant.viewed")) \
            == mentee_id
    response = staff_client.post(f"{url}/consents", data={"purpose": "programme", "text_version": "2026-01",
                                                          "given_on": date.today().isoformat()})
    assert response.status_code == 302
    assert "The consent is recorded." in _page(staff_client.get(url))
    with alpha.records():
        consent_id = db.session.scalar(sa.select(Consent.id))
    assert staff_client.post(f"{url}/consents/{consent_id}/withdraw").status_code == 302
    page = _page(staff_client.get(url))
    assert "The withdrawal of the consent is recorded." in page
    assert "There is no current consent to take part in the programme." in page


def test_an_interview_moves_the_status_and_a_status_can_be_changed_by_hand(app, staff_client, two_partners, alpha):
    with alpha.records():
        mentee_id = make_mentee().id
    url = f"/t/{alpha.slug}/mentees/{mentee_id}"
    form = _page(staff_client.get(f"{url}/interview"))
    assert "Tiago Técnico" in form
    refused = staff_client.post(f"{url}/interview",
                                data={"held_on": "", "interviewer_id": "", "recommendation": "maybe"})
    assert refused.status_code == 400 and "Choose one of the options." in _page(refused)
    with alpha.records():
        staff_id = db.session.scalar(sa.select(User.id).filter_by(email=two_partners.alpha_staff))
    response = staff_client.post(f"{url}/interview", data={
        "held_on": date.today().isoformat(), "interviewer_id": str(staff_id), "notes": "Motivada.",
        "recommendation": "accept"})
    assert response.status_code == 302
    page = _page(staff_client.get(url))
    assert "The interview is recorded. The status is now: Waiting for a mentor." in page
    assert "Motivada." in page
    assert staff_client.post(f"{url}/status", data={"status": "paused"}).status_code == 302
    assert "The status is now: Paused." in _page(staff_client.get(url))
    staff_client.post(f"{url}/status", data={"status": "matched"})
    assert "This change of status is not possible from the current status." in _page(staff_client.get(url))


def test_a_corporate_volunteer_is_linked_to_a_network_company(app, staff_client, alpha):
    with app.app_context():
        company_id = create_company("Empresa Exemplo").id
        db.session.commit()
    form = {"full_name": "Rui Costa", "email": "rui@example.pt", "municipality": "Porto"}
    assert "Empresa Exemplo" in _page(staff_client.get(f"/t/{alpha.slug}/mentors/new"))
    refused = staff_client.post(f"/t/{alpha.slug}/mentors/new", data=form | {"company_id": "999"})
    assert refused.status_code == 400 and "Choose one of the options." in _page(refused)
    created = staff_client.post(f"/t/{alpha.slug}/mentors/new", data=form | {"company_id": str(company_id)})
    assert "Empresa Exemplo" in _page(staff_client.get(created.location))
