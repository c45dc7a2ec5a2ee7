"""Activities: invitations, attendance completing the initial training, workshops led by a
participant, network activities seen by partners, and referrals."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from marshmallow import ValidationError

from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.mail.delivery import render_message
from network.core.mail.models import OutboxMessage
from network.core.tenancy import tenant_context
from tenants.activities import services
from tenants.activities.models import ActivityInvitation, NetworkActivity
from tenants.participants.services import form_data, update_participant
from tests.factories import make_mentee, make_mentor, make_tenant, make_user


@pytest.fixture
def partners(app_context):
    alpha, beta = make_tenant("alpha"), make_tenant("beta")
    alpha_staff = make_user("staff@alpha.pt", roles=[(alpha, "staff")])
    beta_staff = make_user("staff@beta.pt", roles=[(beta, "staff")])
    return alpha, beta, alpha_staff, beta_staff


def _training(kind="training_mentors", held_on=date(2026, 2, 1), **extra):
    audience = {"training_mentors": "mentors", "training_mentees": "mentees"}.get(kind, "participants")
    return {"kind": kind, "title": "Formação", "held_on": held_on, "place": "Biblioteca", "audience": audience,
            **extra}


def _messages(error):
    with force_locale("en"):
        return {field: [str(message) for message in messages]
                for field, messages in error.value.normalized_messages().items()}


def test_attending_an_initial_training_completes_it_for_mentors_and_mentees(partners):
    alpha, _, staff, _ = partners
    with tenant_context(alpha.id):
        mentor, mentee = make_mentor(), make_mentee()
        for kind, person in (("training_mentors", mentor), ("training_mentees", mentee)):
            activity = services.save_activity(_training(kind), staff)
            invitation, = services.invite(activity, [f"{person.role}:{person.id}"], staff)
            assert services.record_attendance(activity, {invitation.id: True}, staff) == 1
            assert person.training_completed_on == date(2026, 2, 1)
        # A later session keeps the first date.
        later = services.save_activity(_training(held_on=date(2026, 3, 1)), staff)
        invitation, = services.invite(later, [f"mentor:{mentor.id}"], staff)
        assert services.record_attendance(later, {invitation.id: True}, staff) == 0
        assert mentor.training_completed_on == date(2026, 2, 1)
        db.session.flush()
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
        assert actions.count("participant.training_completed") == 2


def test_absence_or_another_kind_of_activity_does_not_complete_the_training(partners):
    alpha, _, staff, _ = partners
    with tenant_context(alpha.id):
        mentor, other = make_mentor(), make_mentor("Rui Ramos")
        training = services.save_activity(_training(), staff)
        absent, = services.invite(training, [f"mentor:{mentor.id}"], staff)
        services.record_attendance(training, {absent.id: False}, staff)
        seminar = services.save_activity(_training("presentation_session"), staff)
        attended, = services.invite(seminar, [f"mentor:{other.id}"], staff)
        services.record_attendance(seminar, {attended.id: True}, staff)
        assert mentor.training_completed_on is None and other.training_completed_on is None


def test_a_training_is_for_its_own_audience_only(partners):
    alpha, _, staff, _ = partners
    with tenant_context(alpha.id):
        mentee = make_mentee()
        training = services.save_activity(_training(), staff)
        with pytest.raises(ValidationError) as error:
            services.invite(training, [f"mentee:{mentee.id}"], staff)
        assert _messages(error) == {"participants": ["Choose people from the list."]}
        assert db.session.scalar(sa.select(sa.func.count(ActivityInvitation.id))) == 0


def test_attendance_waits_for_the_day_and_names_only_this_activitys_invitations(partners):
    alpha, beta, staff, beta_staff = partners
    with tenant_context(beta.id):
        beta_activity = services.save_activity(_training(), beta_staff)
        beta_invitation, = services.invite(beta_activity, [f"mentor:{make_mentor().id}"], beta_staff)
    with tenant_context(alpha.id):
        mentor = make_mentor()
        upcoming = services.save_activity(_training(held_on=date.today() + timedelta(days=3)), staff)
        invitation, = services.invite(upcoming, [f"mentor:{mentor.id}"], staff)
        with pytest.raises(ValidationError) as error:
            services.record_attendance(upcoming, {invitation.id: True}, staff)
        assert "from the day of the activity" in _messages(error)["attendance"][0]
        past = services.save_activity(_training(), staff)
        mine, = services.invite(past, [f"mentor:{mentor.id}"], staff)
        # Another partner's invitation (and one of another activity) is not found: nothing is written.
        for foreign in (beta_invitation.id, invitation.id):
            with pytest.raises(ValidationError):
                services.record_attendance(past, {mine.id: True, foreign: True}, staff)
        assert mine.attended is None and mentor.training_completed_on is None


def test_a_workshop_is_led_by_one_of_the_partners_own_participants(partners):
    alpha, beta, staff, beta_staff = partners
    with tenant_context(beta.id):
        beta_mentee = make_mentee("Outra Pessoa")
    with tenant_context(alpha.id):
        mentee = make_mentee()
        workshop = _training("workshop", title="Cozinha síria")
        with pytest.raises(ValidationError) as error:
            services.save_activity(workshop, staff)
        assert "choose who" in _messages(error)["facilitator"][0]
        with pytest.raises(ValidationError) as error:
            services.save_activity(workshop | {"facilitator": f"mentee:{beta_mentee.id}"}, staff)
        assert _messages(error) == {"facilitator": ["Choose one of the options."]}
        activity = services.save_activity(workshop | {"facilitator": f"mentee:{mentee.id}"}, staff)
        assert activity.facilitator == mentee.full_name


def test_partners_invite_their_own_participants_to_network_activities_and_coordinators_see_counts(partners):
    alpha, beta, alpha_staff, beta_staff = partners
    seminar = NetworkActivity(kind="seminar", title="Seminário", held_on=date(2026, 1, 20), place="Lisboa",
                              audience="participants")
    db.session.add(seminar)
    db.session.flush()
    for tenant, staff, people in ((alpha, alpha_staff, 2), (beta, beta_staff, 1)):
        with tenant_context(tenant.id):
            mentors = [make_mentor(f"Pessoa {n}", email=f"p{n}@example.pt") for n in range(people)]
            invitations = services.invite(seminar, [f"mentor:{m.id}" for m in mentors], staff)
            services.record_attendance(seminar, {invitations[0].id: True}, staff)
            # Each partner sees only its own invitations.
            assert len(services.invitations(seminar)) == people
    assert services.network_attendance_counts([seminar.id]) == {seminar.id: (3, 2)}
    assert services.network_attendance_by_partner(seminar) == [("Alpha", 2, 1), ("Beta", 1, 1)]


def test_a_participant_records_the_session_that_brought_them(partners):
    alpha, beta, staff, beta_staff = partners
    with tenant_context(beta.id):
        beta_session = services.save_activity(_training("presentation_session"), beta_staff)
    with tenant_context(alpha.id):
        session = services.save_activity(_training("presentation_session"), staff)
        mentee = make_mentee()
        data = form_data(mentee)
        with pytest.raises(ValidationError) as error:
            update_participant(mentee, data | {"referral_activity_id": beta_session.id}, staff)
        assert _messages(error) == {"referral_activity_id": ["Choose one of the options."]}
        update_participant(mentee, data | {"referral_source": "information_session",
                                           "referral_activity_id": session.id}, staff)
        db.session.flush()
        db.session.expire(mentee)
        assert mentee.referral_session.id == session.id and mentee.referral_source == "information_session"


def test_invited_people_with_an_e_mail_are_told_once_in_their_language(partners):
    alpha, _, staff, _ = partners
    with tenant_context(alpha.id):
        mentor, mentee = make_mentor("Rui Mentor"), make_mentee("Olena Mentee", email="")
        activity = services.save_activity(_training("seminar", place="Casa da Cultura"), staff)
        services.invite(activity, [f"mentor:{mentor.id}", f"mentee:{mentee.id}"], staff)
        services.invite(activity, [f"mentor:{mentor.id}"], staff)  # already invited: no second e-mail
        db.session.flush()
        messages = db.session.scalars(sa.select(OutboxMessage)).all()
        assert [(message.recipient, message.locale) for message in messages] == [("rui.mentor@example.pt", "pt_PT")]
        rendered = render_message(messages[0])
        assert rendered["subject"] == "Convite: Formação"
        assert "Seminário" in rendered["body"] and "Casa da Cultura" in rendered["body"]
        assert "01/02/2026" in rendered["body"]
        messages[0].locale = "en"
        assert "Date: Feb 1, 2026" in render_message(messages[0])["body"]
