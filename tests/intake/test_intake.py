"""The intake questionnaire: network versions, partner additions, answers per participant."""
import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from marshmallow import ValidationError

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.intake import services
from tenants.intake.models import IntakeResponse, QuestionSet
from tests.factories import login, make_mentee, make_tenant, make_user


@pytest.fixture
def workspace(app_context):
    tenant = make_tenant("alpha")
    staff = make_user("staff@alpha.pt", roles=[(tenant, "staff")])
    with tenant_context(tenant.id):
        yield staff


def _question(kind="yes_no", **values):
    return {"kind": kind, "prompt_pt": "Tem filhos?", "prompt_en": "Do you have children?", "required": False,
            **values}


def test_each_role_has_a_published_network_questionnaire(workspace):
    for role in ("mentor", "mentee"):
        question_set, questions = services.questionnaire(role)
        assert question_set.version == 1 and question_set.published_at is not None
        assert len(questions) == 4
    with force_locale("en"):
        assert services.questionnaire("mentee")[1][0].prompt == "What is your main goal for the next six months?"


def test_answers_are_validated_and_kept_with_the_questions_as_asked(workspace):
    mentee = make_mentee(actor=workspace)
    _, questions = services.questionnaire("mentee")
    goal, support, contact, notes = questions
    with force_locale("en"):
        with pytest.raises(ValidationError) as error:
            services.answers_schema(questions).load({contact.key: "pigeon", notes.key: "x" * 4001})
        messages = {key: [str(m) for m in texts] for key, texts in error.value.normalized_messages().items()}
    assert messages == {goal.key: ["This field is required."], contact.key: ["Choose one of the options."],
                        notes.key: ["Use at most 4000 characters."]}
    with force_locale("en"):
        data = services.answers_schema(questions).load({goal.key: "Find work as a nurse", contact.key: "c2"})
    response = services.record_intake(mentee, data, workspace)
    by_key = {answer["key"]: answer for answer in response.answers}
    assert by_key[contact.key] == {
        "key": contact.key, "prompt_pt": "Como prefere ser contactado(a)?",
        "prompt_en": "How would you rather be contacted?", "value": "c2",
        "answer_pt": "Mensagem", "answer_en": "Text message"}
    assert by_key[support.key]["value"] is None
    assert services.latest_intake(mentee) == response


def test_a_partner_adds_questions_that_are_asked_after_the_network_ones(workspace):
    question = services.add_partner_question("mentee", _question(), workspace)
    _, questions = services.questionnaire("mentee")
    assert questions[-1] == question and question.key.startswith("p")
    services.retire_partner_question(question, workspace)
    assert question not in services.questionnaire("mentee")[1]
    with tenant_context(make_tenant("beta").id):
        assert len(services.questionnaire("mentee")[1]) == 4


def test_choice_questions_need_options_in_both_languages(workspace):
    with force_locale("en"):
        with pytest.raises(ValidationError) as error:
            services.add_partner_question("mentor", _question("choice", choices_pt="Sim\nNão", choices_en="Yes"),
                                          workspace)
        # The message is lazy: read it in the same language.
        assert [str(m) for m in error.value.normalized_messages()["choices_pt"]] == [
            "Write at least two options, one per line, as many in each language."]
    question = services.add_partner_question(
        "mentor", _question("choice", choices_pt="Manhã\nTarde", choices_en="Morning\nAfternoon"), workspace)
    with force_locale("pt_PT"):
        assert question.choice_options() == [("c1", "Manhã"), ("c2", "Tarde")]


def test_a_new_version_is_drafted_then_published_and_old_answers_keep_their_questions(workspace):
    mentee = make_mentee(actor=workspace)
    _, questions = services.questionnaire("mentee")
    old = services.record_intake(mentee, {questions[0].key: "Aprender português", questions[2].key: "c1"},
                                 workspace)
    services.add_network_question("mentee", _question())
    draft = services.draft_question_set("mentee")
    assert (draft.version, draft.published_at, len(draft.questions)) == (2, None, 5)
    assert services.questionnaire("mentee")[0].version == 1  # the draft is not asked yet
    services.remove_draft_question(draft.questions[0])
    services.publish_question_set(draft)
    db.session.flush()
    question_set, questions = services.questionnaire("mentee")
    assert question_set.version == 2 and [q.prompt_en for q in questions][-1] == "Do you have children?"
    assert old.answers[0]["prompt_en"] == "What is your main goal for the next six months?"
    with force_locale("en"), pytest.raises(ValidationError):
        services.publish_question_set(draft)
    with pytest.raises(ValidationError):
        services.remove_draft_question(questions[0])


def test_staff_answer_the_questionnaire_from_the_detail_page(app, client, two_partners):
    login(client, two_partners.alpha_staff, locale="en")
    with app.app_context(), tenant_context(two_partners.alpha.id):
        mentee_id = make_mentee().id
        _, questions = services.questionnaire("mentee")
        keys = [question.key for question in questions]
        db.session.commit()
    base = f"/t/{two_partners.alpha.slug}/mentees/{mentee_id}"
    assert "Not answered yet." in client.get(base).get_data(as_text=True)
    refused = client.post(f"{base}/intake", data={keys[0]: "", keys[2]: "c9"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "This field is required." in page and "Choose one of the options." in page
    assert client.post(f"{base}/intake", data={keys[0]: "Find work", keys[2]: "c3"}).status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "The answers are saved." in page and "Find work" in page and "E-mail" in page
    with app.app_context(), tenant_context(two_partners.alpha.id):
        assert db.session.scalar(sa.select(sa.func.count(IntakeResponse.id))) == 1


def test_partner_staff_add_questions_and_coordinators_publish_versions(app, client, two_partners):
    login(client, two_partners.alpha_admin, locale="en")
    base = f"/t/{two_partners.alpha.slug}"
    refused = client.post(f"{base}/intake/questions", data={"role": "mentee", "kind": "choice", "prompt_pt": "x",
                                                            "prompt_en": "", "choices_pt": "", "choices_en": ""})
    assert refused.status_code == 400 and "This field is required." in refused.get_data(as_text=True)
    added = client.post(f"{base}/intake/questions", data={"role": "mentee", "kind": "yes_no",
                                                          "prompt_pt": "Tem filhos?", "prompt_en": "Any children?"})
    assert added.status_code == 302
    assert "Any children?" in client.get(f"{base}/intake/questions").get_data(as_text=True)
    assert client.get(f"/t/{two_partners.coordination.slug}/question-sets").status_code == 404
    client.post("/logout")

    login(client, two_partners.coordinator, locale="en")
    sets_url = f"/t/{two_partners.coordination.slug}/question-sets"
    assert client.post(sets_url, data={"role": "mentor", "kind": "text", "prompt_pt": "Profissão?",
                                       "prompt_en": "Profession?"}).status_code == 302
    page = client.get(sets_url).get_data(as_text=True)
    assert "Version 2" in page and "draft" in page and "Profession?" in page
    with app.app_context():
        draft_id = db.session.scalar(sa.select(QuestionSet.id).where(QuestionSet.published_at.is_(None)))
    client.post(f"{sets_url}/{draft_id}/publish")
    assert "Version 2 is published" in client.get(sets_url).get_data(as_text=True)
