"""Staff working at the same moment: one process per mentee, no lost edit, no duplicate from a
double submit, one import of a list, one agreement version, never a 500."""
import re
from datetime import date

import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.participants import imports
from tenants.participants.models import Mentee, Mentor
from tenants.processes import services
from tenants.processes.models import Meeting, MentoringProcess
from tests.concurrency.conftest import race, signed_in
from tests.processes.conftest import AGREEMENT


def _in_workspace(app, team, read):
    with app.app_context(), tenant_context(team.ids.tenant):
        return read()


def _count(app, team, statement):
    return _in_workspace(app, team, lambda: db.session.scalar(statement))


def _agreed_process(app, team, state="active"):
    """A process of the first mentor and the mentee, with an accepted agreement."""
    with app.app_context(), tenant_context(team.ids.tenant):
        mentor, mentee = db.session.get(Mentor, team.ids.mentors[0]), db.session.get(Mentee, team.ids.mentee)
        process = services.create_process(mentor, mentee, None, today=date(2026, 1, 31))
        services.save_agreement(process, AGREEMENT, 0, None)
        if state != "matched":
            for side in ("mentor", "mentee"):
                services.accept_agreement(process, side, None, version=1)
            services.transition(process, "active", None, today=date(2026, 1, 31))
        db.session.commit()
        return process.id


def test_two_staff_matching_one_mentee_at_once_make_one_process_and_one_clear_refusal(app, team):
    ana, rui = (signed_in(app, email) for email in team.staff)
    url = f"{team.base}/matching/mentees/{team.ids.mentee}"

    def confirm(mentor_id):
        return lambda client: client.post(url, data={"candidate_id": mentor_id, "cadence": "monthly"})

    responses = race(app, (ana, confirm(team.ids.mentors[0])), (rui, confirm(team.ids.mentors[1])))

    assert sorted(response.status_code for response in responses) == [302, 409]
    refused = next(response for response in responses if response.status_code == 409).get_data(as_text=True)
    assert "This mentee is not waiting for a mentor." in refused
    assert _count(app, team, sa.select(sa.func.count()).select_from(MentoringProcess)
                  .where(MentoringProcess.mentee_id == team.ids.mentee)) == 1


def test_a_mentors_capacity_holds_when_two_mentees_are_matched_to_them_at_once(app, team):
    with app.app_context(), tenant_context(team.ids.tenant):
        from tenants.matching.services import save_matching_settings
        from tests.factories import make_ready_mentee

        save_matching_settings({"max_mentees_per_mentor": 1})
        other = make_ready_mentee("Omar Haddad").id
        db.session.commit()
    ana, rui = (signed_in(app, email) for email in team.staff)
    mentor = team.ids.mentors[0]

    def confirm(mentee_id):
        return lambda client: client.post(f"{team.base}/matching/mentees/{mentee_id}",
                                          data={"candidate_id": mentor, "cadence": "monthly"})

    responses = race(app, (ana, confirm(team.ids.mentee)), (rui, confirm(other)))

    assert sorted(response.status_code for response in responses) == [302, 409]
    refused = next(response for response in responses if response.status_code == 409).get_data(as_text=True)
    assert "This mentor already follows 1 mentee, the most allowed here." in refused
    assert _count(app, team, sa.select(sa.func.count()).select_from(MentoringProcess)
                  .where(MentoringProcess.mentor_id == mentor)) == 1


def _opened_version(form_page):
    """The version the edit form was opened on (1 where a form carries none)."""
    found = re.search(r'name="version" value="(\d+)"', form_page.get_data(as_text=True))
    return found.group(1) if found else "1"


def test_two_staff_editing_one_mentee_lose_nothing_the_second_gets_409_beside_the_first_ones_values(app, team):
    ana, rui = (signed_in(app, email) for email in team.staff)
    edit = f"{team.base}/mentees/{team.ids.mentee}/edit"
    versions = {_opened_version(client.get(edit)) for client in (ana, rui)}
    assert len(versions) == 1
    opened = {"full_name": "Amina Yusuf", "email": "amina.yusuf.mentee@example.pt", "municipality": "Lisboa",
              "version": versions.pop()}

    first = ana.post(edit, data={**opened, "phone": "+351 910 000 002"})
    second = rui.post(edit, data={**opened, "phone": "+351 910 000 001", "municipality": "Amadora"})

    assert first.status_code == 302
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Someone else saved this record while you were editing it." in page
    assert "+351910000002" in page  # what Ana saved, shown beside ...
    assert 'value="Amadora"' in page  # ... what Rui typed, kept in the form
    assert f'name="version" value="{int(opened["version"]) + 1}"' in page
    saved = _in_workspace(app, team, lambda: db.session.execute(
        sa.select(Mentee.phone, Mentee.municipality).where(Mentee.id == team.ids.mentee)).one())
    assert tuple(saved) == ("+351910000002", "Lisboa")


def test_two_saves_of_one_mentee_at_the_same_moment_keep_one_and_refuse_the_other(app, team):
    ana, rui = (signed_in(app, email) for email in team.staff)
    edit = f"{team.base}/mentees/{team.ids.mentee}/edit"
    version = _opened_version(ana.get(edit))
    opened = {"full_name": "Amina Yusuf", "email": "amina.yusuf.mentee@example.pt", "version": version}

    responses = race(app, (ana, lambda client: client.post(edit, data={**opened, "municipality": "Porto"})),
                     (rui, lambda client: client.post(edit, data={**opened, "municipality": "Braga"})))

    assert sorted(response.status_code for response in responses) == [302, 409]
    kept = "Porto" if responses[0].status_code == 302 else "Braga"
    assert _in_workspace(app, team, lambda: db.session.scalar(
        sa.select(Mentee.municipality).where(Mentee.id == team.ids.mentee))) == kept


def test_a_double_click_on_log_meeting_logs_one_meeting_and_both_clicks_land_on_the_process(app, team):
    process_id = _agreed_process(app, team)
    ana = signed_in(app, team.staff[0])
    form = {"held_on": date.today().isoformat(), "duration_minutes": "60", "mode": "online",
            "submission_key": "k-meeting-1"}
    url = f"{team.base}/processes/{process_id}/meetings/new"

    responses = race(app, (ana, lambda client: client.post(url, data=form)),
                     (signed_in(app, team.staff[0]), lambda client: client.post(url, data=form)))

    assert [response.status_code for response in responses] == [302, 302]
    assert {response.headers["Location"] for response in responses} == {f"{team.base}/processes/{process_id}"}
    assert _count(app, team, sa.select(sa.func.count()).select_from(Meeting)) == 1


def test_a_double_submit_of_new_mentee_registers_one_mentee_and_never_says_nothing_was_saved(app, team):
    form = {"full_name": "Leila Haddad", "email": "leila@example.pt", "municipality": "Lisboa",
            "submission_key": "k-new-mentee"}
    url = f"{team.base}/mentees/new"
    responses = race(app, *[(signed_in(app, team.staff[0]), lambda client: client.post(url, data=form))] * 2)

    assert [response.status_code for response in responses] == [302, 302]
    assert responses[0].headers["Location"] == responses[1].headers["Location"]
    assert _count(app, team, sa.select(sa.func.count()).select_from(Mentee)
                  .where(Mentee.email == "leila@example.pt")) == 1


def test_the_api_replays_a_post_with_the_same_idempotency_key(app, team):
    from tests.factories import bearer, make_api_token

    process_id = _agreed_process(app, team)
    with app.app_context():
        secret = make_api_token(_staff_user(team.staff[0]))
        db.session.commit()
    url = f"/api/v1/t/{team.slug}/processes/{process_id}/meetings"
    body = {"held_on": date.today().isoformat(), "duration_minutes": 45, "mode": "online"}
    headers = {**bearer(secret), "Idempotency-Key": "meeting-2026-0001"}

    responses = race(app, *[(app.test_client(), lambda client: client.post(url, json=body, headers=headers))] * 2)

    assert [response.status_code for response in responses] == [201, 201]
    assert responses[0].get_json()["id"] == responses[1].get_json()["id"]
    assert _count(app, team, sa.select(sa.func.count()).select_from(Meeting)) == 1


def _staff_user(email):
    from network.core.accounts.models import User

    return db.session.scalar(sa.select(User).where(User.email == email))


def test_two_staff_confirming_one_import_at_once_import_it_once_and_never_fail(app, team):
    with app.app_context(), tenant_context(team.ids.tenant):
        staff = _staff_user(team.staff[0])
        started = imports.start_import("mentee", "lista.csv", (
            b"full_name,email,municipality\nLeila Haddad,leila@example.pt,Lisboa\nOmar Said,omar@example.pt,Porto\n"
        ), staff)
        db.session.commit()
        import_id = started.id
    url = f"{team.base}/imports/{import_id}/confirm"

    responses = race(app, *[(signed_in(app, email), lambda client: client.post(url)) for email in team.staff])

    assert 500 not in [response.status_code for response in responses]
    assert sorted(response.status_code for response in responses) == [302, 400]
    refused = next(response for response in responses if response.status_code == 400).get_data(as_text=True)
    assert "This list was already imported." in refused
    assert _count(app, team, sa.select(sa.func.count()).select_from(Mentee)
                  .where(Mentee.email.in_(["leila@example.pt", "omar@example.pt"]))) == 2


def test_two_agreement_saves_at_once_keep_one_version_and_answer_409_never_500(app, team):
    process_id = _agreed_process(app, team, state="matched")
    url = f"{team.base}/processes/{process_id}/agreement"

    def save(duties):
        return lambda client: client.post(url, data={
            "base_version": "1", "meeting_frequency": "weekly", "mode": "in_person", "place": "",
            "mentor_duties": duties, "mentee_duties": "Come prepared.",
            "goal-1-kind": "need", "goal-1-text": "Find a family doctor", "goal-1-target_date": ""})

    responses = race(app, *[(signed_in(app, email), save(duties))
                            for email, duties in zip(team.staff, ("Meet weekly.", "Call every Monday."))])

    assert sorted(response.status_code for response in responses) == [302, 409]
    refused = next(response for response in responses if response.status_code == 409).get_data(as_text=True)
    assert "Someone saved a newer version of this agreement" in refused
    versions = _in_workspace(app, team, lambda: services.get_process(process_id).agreement.version)
    assert versions == 2


def test_two_coordinators_editing_one_partner_the_second_gets_409_and_nothing_is_overwritten(app, two_partners):
    first, second = (signed_in(app, two_partners.coordinator) for _ in range(2))
    edit = f"/t/{two_partners.coordination.slug}/partners/{two_partners.alpha.id}/edit"
    version = _opened_version(first.get(edit))
    assert _opened_version(second.get(edit)) == version
    opened = {"name": "Câmara Municipal Alfa", "kind": "municipality", "district": "porto", "default_locale": "pt_PT",
              "version": version}

    assert first.post(edit, data={**opened, "district": "braga"}).status_code == 302
    stale = second.post(edit, data={**opened, "name": "Associação Alpha"})

    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "Someone else saved this record while you were editing it." in page and 'value="Associação Alpha"' in page
    with app.app_context():
        from network.core.tenancy.models import Tenant

        partner = db.session.get(Tenant, two_partners.alpha.id)
        assert (partner.name, partner.district) == ("Câmara Municipal Alfa", "braga")
