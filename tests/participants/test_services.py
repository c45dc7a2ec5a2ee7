"""The rules about mentors and mentees, exercised through the services."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from marshmallow import ValidationError

from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.intake import services as intake
from tenants.participants import services
from tenants.participants.schemas import MenteeSchema, MentorSchema
from tests.factories import give_consent, make_mentee, make_mentor, make_tenant, make_user


@pytest.fixture
def workspace(app_context):
    tenant = make_tenant("alpha")
    staff = make_user("staff@alpha.pt", "Tiago Técnico", roles=[(tenant, "staff")])
    with tenant_context(tenant.id):
        yield tenant, staff


def _messages(error, locale="en"):
    """The messages as a reader of `locale` sees them."""
    with force_locale(locale):
        return {field: [str(text) for text in texts] for field, texts in error.value.normalized_messages().items()}


def _interview(participant, staff, recommendation="accept"):
    return intake.record_interview(
        participant, {"held_on": date.today(), "interviewer_id": staff.id, "recommendation": recommendation}, staff
    )


# --- validation --------------------------------------------------------------

def _mentee_form(**values):
    return {"full_name": "Amina Idris", "email": "amina@example.pt", "municipality": "Lisboa", **values}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"arrival_year": str(date.today().year + 1)}, "arrival_year", "The year of arrival cannot be in the future."),
        ({"arrival_year": "2O20"}, "arrival_year", "Enter a year with four digits, like 2023."),
        ({"gender": "robot"}, "gender", "Choose one of the options."),
        ({"country_of_origin": "XK"}, "country_of_origin", "Choose one of the options."),
        ({"email": "", "phone": ""}, "email", "Give an e-mail address or a phone number."),
        ({"phone": "call me"}, "phone", "Enter a phone number with 6 to 15 digits, like +351 912 345 678."),
        ({"full_name": "x" * 201}, "full_name", "Use at most 200 characters."),
        ({"municipality": ""}, "municipality", "This field is required."),
        ({"support_areas": ["housing", "health", "education", "parenting"]}, "support_areas",
         "Choose at most 3 support areas."),
        ({"support_areas": ["flying"]}, "support_areas", "Choose one of the options."),
        ({"languages": [{"code": "pt", "level": "b1"}]}, "languages", "Record Portuguese in its own field."),
    ],
)
def test_mentee_input_is_refused_with_a_clear_message(workspace, values, field, message):
    with force_locale("en"):
        with pytest.raises(ValidationError) as error:
            MenteeSchema().load(_mentee_form(**values))
        assert message in _messages(error)[field]


def test_mentor_dates_cannot_be_impossible_or_in_the_future(workspace):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    with force_locale("en"):
        for value, message in ((tomorrow, "The date cannot be in the future."),
                               ("2026-02-30", "Enter a real date, like 2026-03-31.")):
            with pytest.raises(ValidationError) as error:
                MentorSchema().load({"full_name": "Rui", "email": "rui@example.pt", "municipality": "Porto",
                                     "training_completed_on": value})
            assert _messages(error)["training_completed_on"] == [message]


def test_validation_messages_are_translated_to_portuguese(workspace):
    future = {"arrival_year": str(date.today().year + 1), "email": "", "phone": ""}
    messages = {}
    for locale in ("en", "pt_PT"):
        with force_locale(locale), pytest.raises(ValidationError) as error:
            MenteeSchema().load(_mentee_form(**future))
        messages[locale] = _messages(error, locale)
    assert messages["en"]["arrival_year"] == ["The year of arrival cannot be in the future."]
    assert messages["pt_PT"]["arrival_year"] != messages["en"]["arrival_year"]
    assert messages["pt_PT"]["email"] != messages["en"]["email"]


def test_contacts_are_normalised(workspace):
    with force_locale("en"):
        data = MentorSchema().load({"full_name": "Rui", "email": "Rui@Example.PT", "phone": "+351 912-345 678",
                                    "municipality": "Porto"})
    assert (data["email"], data["phone"]) == ("rui@example.pt", "+351912345678")


# --- duplicates --------------------------------------------------------------

def test_the_same_email_or_phone_cannot_be_registered_twice_in_a_workspace(workspace):
    make_mentor("Rui Costa", email="rui@example.pt", phone="+351912345678")
    with force_locale("en"), pytest.raises(ValidationError) as error:
        make_mentor("Rui C.", email="rui@example.pt", phone="+351912345678")
    assert _messages(error) == {
        "email": ["A mentor with this e-mail address is already registered."],
        "phone": ["A mentor with this phone number is already registered."],
    }


def test_another_workspace_may_register_the_same_person(workspace):
    make_mentee("Amina Idris", email="amina@example.pt")
    beta = make_tenant("beta")
    with tenant_context(beta.id):
        assert make_mentee("Amina Idris", email="amina@example.pt").id


def test_a_mentor_may_also_be_a_mentee(workspace):
    make_mentor("Rui Costa", email="rui@example.pt")
    assert make_mentee("Rui Costa", email="rui@example.pt").id


# --- editing and the audit log -----------------------------------------------

def test_a_change_is_audited_with_the_old_values_of_the_fields_that_changed(workspace):
    _, staff = workspace
    mentee = make_mentee("Amina Idris", portuguese_level="a1", support_areas=["housing"], actor=staff)
    data = services.form_data(mentee) | {"municipality": "Amadora", "portuguese_level": "a2",
                                         "support_areas": ["housing", "health"]}
    changed = services.update_participant(mentee, data, staff)
    db.session.flush()
    assert changed == {"municipality": "Lisboa", "languages": ["pt:a1"], "support_areas": ["housing"]}
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "participant.updated")).one()
    assert (event.record_type, event.record_id, event.actor_id) == ("Mentee", mentee.id, staff.id)
    assert event.changes == changed
    assert mentee.portuguese_level == "a2"
    assert [link.support_area.code for link in mentee.support_areas] == ["housing", "health"]


def test_saving_without_changes_writes_nothing_to_the_audit_log(workspace):
    _, staff = workspace
    mentor = make_mentor(languages=[{"code": "en", "level": "c1"}], actor=staff)
    assert services.update_participant(mentor, services.form_data(mentor), staff) == {}
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "participant.updated")) == 0


def test_reading_a_mentee_is_audited(workspace):
    _, staff = workspace
    mentee = make_mentee(actor=staff)
    services.record_participant_read(mentee, staff)
    history = services.participant_history(mentee)
    assert [event.action for event in history] == ["participant.viewed", "participant.created"]


# --- status moves ------------------------------------------------------------

def test_staff_move_a_status_only_along_the_allowed_paths(workspace):
    _, staff = workspace
    mentee = make_mentee(actor=staff)
    with force_locale("en"), pytest.raises(ValidationError) as error:
        services.move_status(mentee, "waiting", staff)
    assert _messages(error) == {"status": ["This change of status is not possible from the current status."]}
    services.move_status(mentee, "interviewed", staff)
    services.move_status(mentee, "waiting", staff)
    assert mentee.status == "waiting"
    with pytest.raises(ValidationError):
        services.move_status(mentee, "matched", staff)  # only matching matches


def test_a_mentor_is_available_only_after_the_initial_training(workspace):
    _, staff = workspace
    mentor = make_mentor(actor=staff)
    services.move_status(mentor, "interviewed", staff)
    with force_locale("en"), pytest.raises(ValidationError) as error:
        services.move_status(mentor, "available", staff)
    assert _messages(error) == {"status": ["A mentor becomes available after completing the initial training."]}
    mentor.training_completed_on = date.today()
    services.move_status(mentor, "available", staff)
    assert mentor.status == "available"


@pytest.mark.parametrize(
    ("role", "trained", "recommendation", "status"),
    [
        ("mentee", False, "accept", "waiting"),
        ("mentee", False, "decline", "left"),
        ("mentee", False, "refer_elsewhere", "left"),
        ("mentor", False, "accept", "interviewed"),
        ("mentor", True, "accept", "available"),
        ("mentor", True, "decline", "left"),
    ],
)
def test_the_interview_recommendation_moves_the_status(workspace, role, trained, recommendation, status):
    _, staff = workspace
    extra = {"training_completed_on": date.today()} if trained else {}
    participant = make_mentor(actor=staff, **extra) if role == "mentor" else make_mentee(actor=staff)
    interview = _interview(participant, staff, recommendation)
    assert participant.status == status
    assert participant.interviews == [interview]
    actions = [event.action for event in services.participant_history(participant)]
    assert actions[:2] == ["participant.status_changed", "interview.recorded"]


def test_only_applicants_are_interviewed_and_by_the_workspace_staff(workspace):
    tenant, staff = workspace
    outsider = make_user("someone@elsewhere.pt", roles=[(make_tenant("beta"), "staff")])
    mentee = make_mentee(actor=staff)
    with force_locale("en"), pytest.raises(ValidationError) as error:
        intake.record_interview(mentee, {"held_on": date.today(), "interviewer_id": outsider.id,
                                           "recommendation": "accept"}, staff)
    assert _messages(error) == {"interviewer_id": ["Choose one of the options."]}
    _interview(mentee, staff, "decline")
    with force_locale("en"), pytest.raises(ValidationError) as error:
        _interview(mentee, staff)
    assert _messages(error) == {"recommendation": ["Only applicants can be interviewed."]}


# --- consent -----------------------------------------------------------------

def _ready_mentee(staff):
    mentee = make_mentee(actor=staff)
    _interview(mentee, staff)
    return mentee


def test_without_current_consent_nobody_can_be_matched(workspace):
    _, staff = workspace
    mentee = _ready_mentee(staff)
    assert mentee.status == "waiting"
    assert not services.can_be_matched(mentee)
    with force_locale("en"), pytest.raises(ValidationError) as error:
        services.mark_matched(mentee, staff)
    assert _messages(error) == {"status": ["There is no current consent to take part in the programme."]}
    give_consent(mentee, staff, purpose="communications")
    assert not services.can_be_matched(mentee)
    give_consent(mentee, staff)
    assert services.can_be_matched(mentee)
    services.mark_matched(mentee, staff)
    assert mentee.status == "matched"


def test_a_withdrawn_consent_is_honoured_at_once(workspace):
    _, staff = workspace
    mentee = _ready_mentee(staff)
    consent = give_consent(mentee, staff)
    assert db.session.scalars(services.ready_for_matching("mentee")).all() == [mentee]
    intake.withdraw_consent(mentee, consent, staff)
    assert consent.withdrawn_at is not None and consent.withdrawn_by_id == staff.id
    assert not services.can_be_matched(mentee)
    assert db.session.scalars(services.ready_for_matching("mentee")).all() == []
    page = services.list_participants("mentee", services.ParticipantQuery(consent="given"))
    assert page.total == 0
    with force_locale("en"), pytest.raises(ValidationError) as error:
        intake.withdraw_consent(mentee, consent, staff)
    assert _messages(error) == {"consent": ["This consent was already withdrawn."]}


def test_a_current_consent_is_not_recorded_twice_but_can_be_given_again_after_withdrawal(workspace):
    _, staff = workspace
    mentor = make_mentor(actor=staff)
    consent = give_consent(mentor, staff)
    with force_locale("en"), pytest.raises(ValidationError) as error:
        give_consent(mentor, staff)
    assert _messages(error) == {"purpose": ["This consent is already recorded and current."]}
    intake.withdraw_consent(mentor, consent, staff)
    assert give_consent(mentor, staff).is_current
    assert [c.is_current for c in mentor.consents] == [True, False]


def test_a_matched_mentor_can_take_another_mentee_while_consenting(workspace):
    _, staff = workspace
    mentor = make_mentor(actor=staff, training_completed_on=date.today())
    _interview(mentor, staff)
    give_consent(mentor, staff)
    services.mark_matched(mentor, staff)
    assert services.can_be_matched(mentor)


# --- lists -------------------------------------------------------------------

def test_lists_search_filter_sort_and_paginate(workspace):
    _, staff = workspace
    for number in range(30):
        make_mentor(f"Mentor {number:02d}", email=f"m{number}@example.pt",
                    municipality="Porto" if number % 3 == 0 else "Lisboa",
                    languages=[{"code": "fr", "level": "b2"}] if number % 2 == 0 else [],
                    support_areas=["housing"] if number < 5 else [])
    query = services.ParticipantQuery
    first = services.list_participants("mentor", query())
    assert (first.total, first.pages, len(first.rows)) == (30, 2, services.PAGE_SIZE)
    assert first.rows[0][0].full_name == "Mentor 00"
    second = services.list_participants("mentor", query(page=2))
    assert [row[0].full_name for row in second.rows] == [f"Mentor {n}" for n in range(25, 30)]
    assert services.list_participants("mentor", query(page=99)).page == 2
    last_first = services.list_participants("mentor", query(sort="name", direction="desc"))
    assert last_first.rows[0][0].full_name == "Mentor 29"
    assert services.list_participants("mentor", query(municipality="porto")).total == 10
    assert services.list_participants("mentor", query(language="fr")).total == 15
    assert services.list_participants("mentor", query(support_area="housing")).total == 5
    assert services.list_participants("mentor", query(search="m7@")).total == 1
    assert services.list_participants("mentor", query(search="100%")).total == 0
    assert services.list_participants("mentor", query(consent="missing")).total == 30


def test_lists_and_counts_show_only_the_current_workspace(workspace):
    tenant, _ = workspace
    make_mentee("Ours")
    with tenant_context(make_tenant("beta").id):
        make_mentee("Theirs")
        make_mentee("Theirs too", email="too@example.pt")
    page = services.list_participants("mentee", services.ParticipantQuery())
    assert (page.total, [row[0].full_name for row in page.rows]) == (1, ["Ours"])
    assert services.municipalities("mentee") == ["Lisboa"]


def test_a_list_page_takes_the_same_few_queries_however_many_rows(app, workspace):
    _, staff = workspace

    def queries_for_a_page():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            page = services.list_participants("mentee", services.ParticipantQuery())
            for mentee, _ in page.rows:
                [skill.language_label for skill in mentee.languages]
                [link.support_area.label for link in mentee.support_areas]
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    make_mentee("Only One", portuguese_level="a1", support_areas=["health"])
    db.session.flush()
    few = queries_for_a_page()
    for number in range(20):
        make_mentee(f"Mentee {number}", email=f"e{number}@example.pt", portuguese_level="b1",
                    languages=[{"code": "ar", "level": "native"}], support_areas=["housing", "health"])
    db.session.flush()
    assert queries_for_a_page() == few <= 5
