"""The portal walked by a mentor and a mentee, and the staff pages that meet it."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from network.core.accounts.models import Invitation, User
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.activities.models import Activity, ActivityInvitation
from tenants.participants.models import Mentee
from tenants.portal.models import FollowUpAnswer
from tenants.processes import services as processes
from tenants.processes.models import MentoringProcess
from tests.factories import PASSWORD, login
from tests.portal.conftest import ready_mentee, walk_process
from tests.processes.conftest import AGREEMENT

JOIN_LINK = re.compile(r"http://localhost(/join/\S+)")


def _walk(app, pair, state, activated=None):
    with app.app_context(), tenant_context(pair.tenant):
        staff = db.session.scalar(sa.select(User).where(User.email == pair.staff))
        walk_process(db.session.get(MentoringProcess, pair.process), staff, state, activated)
        db.session.commit()


def _portal(pair):
    return f"/t/{pair.slug}/portal"


def test_a_participant_goes_from_the_workspace_to_the_portal(client, pair):
    login(client, pair.mentee_user, locale="en")
    response = client.get(f"/t/{pair.slug}/")
    assert response.status_code == 302 and response.location == f"{_portal(pair)}/"
    page = client.get(response.location).get_data(as_text=True)
    assert "Your mentor: <bdi>Łukasz Nowak</bdi>" in page and "1 thing waits for you" not in page
    assert "Amina Yusuf" not in page and "João Pereira" not in page
    assert 'lang="en"' in page


def test_staff_have_no_portal_and_participants_have_no_staff_pages(client, pair):
    login(client, pair.staff)
    assert client.get(f"{_portal(pair)}/").status_code == 404
    client.post("/logout")
    login(client, pair.mentor_user)
    assert client.get(f"/t/{pair.slug}/processes/{pair.process}").status_code == 404
    assert client.get(f"/t/{pair.slug}/mentees/{pair.mentee}").status_code == 404


def test_another_pairs_process_is_not_found(client, pair):
    _walk(app=client.application, pair=pair, state="active")
    login(client, pair.mentor_user)
    base = f"{_portal(pair)}/processes/{pair.other_process}"
    for method, url in (("GET", base), ("POST", f"{base}/agreement/accept"), ("GET", f"{base}/meetings/new"),
                        ("POST", f"{base}/meetings/new"), ("GET", f"{base}/follow-up"),
                        ("POST", f"{base}/follow-up"), ("GET", f"{base}/evaluation"), ("POST", f"{base}/evaluation")):
        assert client.open(url, method=method, data={"version": "1"}).status_code == 404, url
    assert client.get(f"{_portal(pair)}/processes/{pair.process}").status_code == 200
    assert client.get(f"{_portal(pair)}/profile/mentee").status_code == 404


def test_both_accept_the_agreement_each_in_their_language(app, pair):
    _walk(app, pair, "matched")
    with app.app_context(), tenant_context(pair.tenant):
        staff = db.session.scalar(sa.select(User).where(User.email == pair.staff))
        processes.save_agreement(db.session.get(MentoringProcess, pair.process), AGREEMENT, 0, staff)
        db.session.commit()
    process_url = f"{_portal(pair)}/processes/{pair.process}"

    mentee = app.test_client()
    login(mentee, pair.mentee_user, locale="pt_PT")
    page = mentee.get(process_url).get_data(as_text=True)
    assert 'lang="pt-PT"' in page and "Find a job in logistics" in page
    response = mentee.post(f"{process_url}/agreement/accept", data={"version": "1"}, follow_redirects=True)
    assert response.status_code == 200

    mentor = app.test_client()
    login(mentor, pair.mentor_user, locale="en")
    page = mentor.get(process_url).get_data(as_text=True)
    assert "Your mentee: <bdi>محمد العلي</bdi>" in page and "Your mentee: accepted on" in page
    response = mentor.post(f"{process_url}/agreement/accept", data={"version": "1"}, follow_redirects=True)
    assert "Thank you: you have accepted the agreement." in response.get_data(as_text=True)
    assert "Agreement signed" in response.get_data(as_text=True)

    # An old version is not accepted by mistake.
    again = mentor.post(f"{process_url}/agreement/accept", data={"version": "1"}, follow_redirects=True)
    assert "This agreement was already accepted." in again.get_data(as_text=True)
    with app.app_context(), tenant_context(pair.tenant):
        agreement = db.session.get(MentoringProcess, pair.process).agreement
        accepted_by = {agreement.mentor_accepted_by_id, agreement.mentee_accepted_by_id}
        users = set(db.session.scalars(sa.select(User.id).where(User.email.in_([pair.mentor_user,
                                                                                  pair.mentee_user]))))
        assert accepted_by == users


def test_a_meeting_logged_by_the_mentee_shows_who_logged_it_to_staff(app, client, pair):
    _walk(app, pair, "active")
    login(client, pair.mentee_user, locale="en")
    url = f"{_portal(pair)}/processes/{pair.process}/meetings/new"
    response = client.post(url, data={"held_on": date.today().isoformat(), "duration_minutes": "45",
                                      "mode": "online", "topics": ["health"], "notes": "Falámos do centro de saúde"})
    assert response.status_code == 302
    staff = app.test_client()
    login(staff, pair.staff, locale="en")
    page = staff.get(f"/t/{pair.slug}/processes/{pair.process}").get_data(as_text=True)
    assert "محمد العلي (mentee)" in page


def test_errors_come_back_in_the_language_the_form_was_sent_in(app, pair):
    _walk(app, pair, "active")
    url = f"{_portal(pair)}/processes/{pair.process}/meetings/new"
    future = (date.today() + timedelta(days=3)).isoformat()
    for locale, message, lang in (("pt_PT", "A data não pode ser no futuro.", 'lang="pt-PT"'),
                                  ("en", "The date cannot be in the future.", 'lang="en"')):
        client = app.test_client()
        login(client, pair.mentee_user, locale=locale)
        response = client.post(url, data={"held_on": future, "duration_minutes": "45", "mode": "online",
                                          "notes": "Notas com acentuação: çãé"})
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert message in page and lang in page
        assert "Notas com acentuação: çãé" in page and 'value="45"' in page


def test_the_profile_corrects_contacts_and_decides_what_the_pair_sees(app, pair):
    _walk(app, pair, "active")
    mentee = app.test_client()
    login(mentee, pair.mentee_user, locale="en")
    mentor = app.test_client()
    login(mentor, pair.mentor_user, locale="en")
    process_url = f"{_portal(pair)}/processes/{pair.process}"
    assert "mohamed@example.pt" not in mentor.get(process_url).get_data(as_text=True)

    profile = f"{_portal(pair)}/profile/mentee"
    assert "محمد العلي" in mentee.get(profile).get_data(as_text=True)
    bad = mentee.post(profile, data={"email": "not-an-address", "phone": "", "shares_contact": "yes"})
    assert bad.status_code == 400 and "Enter a valid e-mail address" in bad.get_data(as_text=True)
    assert mentee.post(profile, data={"email": "Mohamed.Ali@Example.pt", "phone": "+351 913 000 111",
                                      "shares_contact": "yes"}).status_code == 302

    page = mentor.get(process_url).get_data(as_text=True)
    assert "mohamed.ali@example.pt" in page and "+351913000111" in page
    with app.app_context(), tenant_context(pair.tenant):
        assert db.session.get(Mentee, pair.mentee).shares_contact is True


def test_follow_up_answers_reach_the_staff_form(app, pair):
    _walk(app, pair, "active", activated=date.today() - timedelta(days=25))
    mentor = app.test_client()
    login(mentor, pair.mentor_user, locale="en")
    process_url = f"{_portal(pair)}/processes/{pair.process}"
    assert "Answer the follow-up questions" in mentor.get(process_url).get_data(as_text=True)
    with app.app_context(), tenant_context(pair.tenant):
        goal_ids = [goal.id for goal in db.session.get(MentoringProcess, pair.process).agreement.goals]
    incomplete = mentor.post(f"{process_url}/follow-up", data={"satisfaction": "4", f"progress-{goal_ids[0]}": "3"})
    assert incomplete.status_code == 400 and "Give the progress of every goal." in incomplete.get_data(as_text=True)
    answer = {"satisfaction": "4", "comment": "Está a correr bem", **{f"progress-{g}": "3" for g in goal_ids}}
    assert mentor.post(f"{process_url}/follow-up", data=answer).status_code == 302
    assert "You answered on" in mentor.get(process_url).get_data(as_text=True)
    assert mentor.get(f"{process_url}/follow-up").status_code == 302  # once only

    staff = app.test_client()
    login(staff, pair.staff, locale="en")
    detail = staff.get(f"/t/{pair.slug}/processes/{pair.process}").get_data(as_text=True)
    assert "Answered by the mentor on" in detail and "Está a correr bem" in detail
    form = staff.get(f"/t/{pair.slug}/processes/{pair.process}/follow-ups/new").get_data(as_text=True)
    assert re.search(r'name="mentor_satisfaction" value="4"\s+checked', form)
    with app.app_context(), tenant_context(pair.tenant):
        assert db.session.scalar(sa.select(FollowUpAnswer.side)) == "mentor"


def test_staff_invite_a_mentee_who_then_sets_a_password(app, client, pair, sent_mail):
    with app.app_context(), tenant_context(pair.tenant):
        newcomer = ready_mentee("Łucja Żółć", "lucja@example.pt")
        db.session.commit()
        newcomer_id = newcomer.id
    login(client, pair.staff, locale="en")
    detail = f"/t/{pair.slug}/mentees/{newcomer_id}"
    assert "Invite to the portal" in client.get(detail).get_data(as_text=True)
    assert client.post(f"{detail}/portal-invitation").status_code == 302
    assert "Invitation sent to lucja@example.pt" in client.get(detail).get_data(as_text=True)
    (message,) = sent_mail
    join_path = JOIN_LINK.search(message["body"]).group(1)

    invitee = app.test_client()
    invitee.post("/locale", data={"locale": "en"})
    response = invitee.post(join_path, data={"name": "Łucja Żółć", "password": PASSWORD,
                                             "password_confirm": PASSWORD})
    assert response.status_code == 302
    response = invitee.get(response.location)
    assert response.status_code == 302 and response.location.endswith("/portal/")
    page = invitee.get(response.location).get_data(as_text=True)
    assert "Hello, <bdi>Łucja Żółć</bdi>" in page and "You have no mentoring process yet" in page
    # The link worked once; afterwards it is no longer valid.
    assert app.test_client().get(join_path).status_code == 410
    assert "Has an account and uses the portal." in client.get(detail).get_data(as_text=True)


def test_an_expired_portal_invitation_link_is_refused(app, client, pair, sent_mail):
    with app.app_context(), tenant_context(pair.tenant):
        newcomer_id = ready_mentee("Olga Expirada", "olga@example.pt").id
        db.session.commit()
    login(client, pair.staff)
    client.post(f"/t/{pair.slug}/mentees/{newcomer_id}/portal-invitation")
    join_path = JOIN_LINK.search(sent_mail[0]["body"]).group(1)
    with app.app_context(), tenant_context(pair.tenant):
        invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "olga@example.pt"))
        invitation.expires_at -= timedelta(days=15)
        db.session.commit()
    response = app.test_client().post(join_path, data={"name": "Olga", "password": PASSWORD,
                                                       "password_confirm": PASSWORD})
    assert response.status_code == 410
    with app.app_context(), tenant_context(pair.tenant):
        assert db.session.get(Mentee, newcomer_id).user_id is None


@pytest.mark.parametrize("side", ["mentor", "mentee"])
def test_each_side_fills_in_its_final_evaluation(app, pair, side):
    _walk(app, pair, "in_evaluation")
    client = app.test_client()
    login(client, getattr(pair, f"{side}_user"), locale="en")
    url = f"{_portal(pair)}/processes/{pair.process}/evaluation"
    with app.app_context(), tenant_context(pair.tenant):
        goal_ids = [goal.id for goal in db.session.get(MentoringProcess, pair.process).agreement.goals]
    missing = client.post(url, data={"satisfaction": "5"})
    assert missing.status_code == 400
    data = {"satisfaction": "5", "would_repeat": "yes", "changes": ["employment_found"],
            **{f"outcome-{g}": "met" for g in goal_ids}}
    assert client.post(url, data=data).status_code == 302
    assert "You sent your final evaluation on" in client.get(f"{_portal(pair)}/processes/{pair.process}").get_data(
        as_text=True)
    with app.app_context(), tenant_context(pair.tenant):
        process = db.session.get(MentoringProcess, pair.process)
        assert process.evaluation_by(side).satisfaction == 5
        assert process.evaluation_by("mentee" if side == "mentor" else "mentor") is None


def test_the_portal_lists_the_trainings_and_workshops_i_am_invited_to(app, client, pair):
    with app.app_context(), tenant_context(pair.tenant):
        workshop = Activity(kind="workshop", audience="participants", title="Troca de talentos: caligrafia árabe",
                            held_on=date.today() + timedelta(days=7), place="Biblioteca municipal")
        db.session.add(workshop)
        db.session.flush()
        db.session.add(ActivityInvitation(activity_id=workshop.id, mentee_id=pair.mentee))
        db.session.commit()
    login(client, pair.mentee_user, locale="en")
    page = client.get(f"{_portal(pair)}/").get_data(as_text=True)
    assert "Troca de talentos: caligrafia árabe" in page and "Workshop (talent exchange)" in page
    client.post("/logout")
    login(client, pair.mentor_user, locale="en")
    page = client.get(f"{_portal(pair)}/").get_data(as_text=True)
    assert "caligrafia" not in page and "No invitation for now." in page
