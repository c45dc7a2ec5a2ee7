""""Why not this mentor?" as a job, like the proposal: the request stores the question and
returns, a worker answers it, the page follows until the answer is there. With the job queue
unreachable the question is kept and the page says so. Only the proposal's partner reads it."""
import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue, SimpleWorker

from network.core.extensions import db
from network.core.jobs.runner import AppContextJob
from network.core.tenancy import tenant_context
from tenants.matching import proposals
from tenants.matching.models import MatchingProposal, WhyNotQuestion
from tenants.matching.services import save_matching_settings
from tenants.participants.models import Mentee, Mentor
from tests.factories import login, make_ready_mentee, make_ready_mentor, make_tenant, make_user

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def proposed(app):
    """Helena (health) and Hugo (housing), one place each; Ana needs health, Bia housing; a
    proposal computed (Ana with Helena, Bia with Hugo). Another partner's staff member."""
    with app.app_context():
        tenant = make_tenant("alfa", kind="municipality")
        other = make_tenant("beta")
        staff = make_user("tecnica@alfa.pt", "Teresa Técnica", [(tenant, "staff")])
        make_user("staff@beta.pt", "Beatriz Técnica", [(other, "staff")])
        with tenant_context(tenant.id):
            save_matching_settings({"max_mentees_per_mentor": 1})
            ids = {"helena": make_ready_mentor("Helena Saúde", support_areas=["health"]).id,
                   "hugo": make_ready_mentor("Hugo Casa", support_areas=["housing"]).id,
                   "ana": make_ready_mentee("Ana Primeira", support_areas=["health"]).id,
                   "bia": make_ready_mentee("Bia Segunda", support_areas=["housing"]).id}
            proposal = proposals.create_proposal(staff)
            proposals.compute(proposal)
            second = proposals.create_proposal(staff)
            db.session.flush()
            ids |= {"proposal": proposal.id, "second": second.id}
        db.session.commit()
        return {"tenant": tenant.id, "base": f"/t/{tenant.slug}/matching/batch", "staff": staff.email, **ids}


def _ask(client, world, mentee="ana", mentor="helena"):
    return client.post(f"{world['base']}/{world['proposal']}/mentees/{world[mentee]}/why-not",
                       data={"mentor_id": world[mentor]})


def _question(app, world):
    with app.app_context(), tenant_context(world["tenant"]):
        question = db.session.scalars(sa.select(WhyNotQuestion).order_by(WhyNotQuestion.id.desc())).first()
        db.session.expunge(question)
        return question


def _expected_answer(app, world, mentee, mentor):
    """What the question's page answered in the request before: `why_not`, solved here and now."""
    with app.app_context(), tenant_context(world["tenant"]):
        _, forced = proposals.why_not(db.session.get(MatchingProposal, world["proposal"]),
                                      db.session.get(Mentee, world[mentee]), db.session.get(Mentor, world[mentor]))
        return proposals.forced_answer(forced)


def test_the_request_returns_at_once_and_a_worker_answers(app, client, proposed, redis_url, monkeypatch):
    queue = Redis.from_url(redis_url)
    queue.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    login(client, proposed["staff"], locale="en")
    response = _ask(client, proposed, "bia", "helena")
    assert response.status_code == 302
    question = _question(app, proposed)
    assert (question.status, question.answer) == ("pending", None)  # asked, not computed in the request
    waiting = client.get(response.location)
    assert waiting.headers["Refresh"] == "2" and "Waiting — 0 %" in waiting.get_data(as_text=True)

    AppContextJob.app = app
    SimpleWorker([Queue("default", connection=queue)], connection=queue, job_class=AppContextJob).work(burst=True)
    queue.flushdb()
    assert _question(app, proposed).answer == {"forced": _expected_answer(app, proposed, "bia", "helena")}
    answered = client.get(response.location)
    page = answered.get_data(as_text=True)
    assert "Refresh" not in answered.headers
    assert "Bia Segunda would score" in page and "Helena Saúde would no longer follow:" in page
    assert "Ana Primeira (" in page  # the mentee who would lose Helena


def test_a_fast_answer_is_on_the_first_page_and_a_rule_is_put_in_words(app, client, proposed):
    """Without Redis the job runs in-process: the page the request leads to has the answer."""
    with app.app_context(), tenant_context(proposed["tenant"]):
        proposals.exclude(db.session.get(MatchingProposal, proposed["proposal"]), proposed["ana"], proposed["hugo"])
        db.session.commit()
    login(client, proposed["staff"], locale="en")
    answered = client.get(_ask(client, proposed, "ana", "hugo").location)
    assert "Refresh" not in answered.headers
    assert "You excluded this pair from the proposal." in answered.get_data(as_text=True)
    assert _question(app, proposed).answer == {"rule": ["excluded", None]}


@pytest.mark.parametrize("locale, says", [
    ("en", "The job queue is unreachable, so this could not start. Nothing is lost"),
    ("pt_PT", "A fila de tarefas está inacessível, por isso não foi possível começar. Nada se perdeu"),
])
def test_with_redis_down_the_question_is_kept_and_the_page_says_so(app, client, proposed, monkeypatch, locale,
                                                                    says):
    monkeypatch.setitem(app.config, "REDIS_URL", CLOSED_PORT_REDIS)
    login(client, proposed["staff"], locale=locale)
    response = _ask(client, proposed)
    page = client.get(response.location)
    assert says in page.get_data(as_text=True) and "Refresh" not in page.headers
    question = _question(app, proposed)
    assert (question.mentee_id, question.mentor_id, question.unqueued) == (proposed["ana"], proposed["helena"], True)
    # The batch proposal says it the same way.
    started = client.post(f"{proposed['base']}/", data={"mode": "fair"})
    assert says in client.get(started.location).get_data(as_text=True)

    monkeypatch.setitem(app.config, "REDIS_URL", None)  # the queue is back (here: jobs in-process)
    again = client.post(f"{proposed['base']}/{proposed['proposal']}/mentees/{proposed['ana']}/why-not",
                        data={"mentor_id": proposed["helena"]}, follow_redirects=True)
    assert says not in again.get_data(as_text=True) and 'id="why-not-answer"' in again.get_data(as_text=True)


def test_the_answer_is_read_only_through_its_proposal_and_partner(app, client, proposed):
    login(client, proposed["staff"], locale="en")
    own = _ask(client, proposed).location
    assert client.get(own).status_code == 200
    question = _question(app, proposed)
    assert client.get(f"{proposed['base']}/{proposed['second']}/why-not/{question.id}").status_code == 404
    client.post("/logout")
    login(client, "staff@beta.pt", locale="en")
    assert client.get(own).status_code == 404
    assert client.get(f"/t/beta/matching/batch/{proposed['proposal']}/why-not/{question.id}").status_code == 404
