"""Batch matching in a real browser (headless Chromium, CSRF on): staff propose for the waiting
list, pin a pair, run again and confirm the pairs they chose. Screenshots on failure go to
tests/artifacts/."""
import re

import pytest
import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.matching.services import save_matching_settings
from tenants.processes.models import MentoringProcess
from tests.browser import log_in
from tests.factories import make_ready_mentee, make_ready_mentor, make_tenant, make_user
from tests.portal.test_browser import (  # noqa: F401 (fixtures)
    ACTION_TIMEOUT_MS,
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
    sync_playwright,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def waiting_list(app):
    """Two mentees who both fit Helena best; Helena has one place, Hugo another."""
    with app.app_context():
        tenant = make_tenant("alfa", kind="municipality", name="Câmara Municipal Alfa")
        make_user("tecnica@alfa.pt", "Teresa Técnica", [(tenant, "staff")], locale="en")
        with tenant_context(tenant.id):
            save_matching_settings({"max_mentees_per_mentor": 1})
            make_ready_mentor("Helena Saúde", support_areas=["health", "housing"])
            make_ready_mentor("Hugo Casa", support_areas=["housing"])
            make_ready_mentee("Ana Primeira", support_areas=["health"])
            make_ready_mentee("Bia Segunda", support_areas=["housing"])
        db.session.commit()
        return {"id": tenant.id, "slug": tenant.slug, "staff": "tecnica@alfa.pt"}


def test_propose_pin_run_again_and_confirm(app, live_server, waiting_list, sync_playwright, request):  # noqa: F811
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = None
        try:
            context = browser.new_context(locale="en", viewport={"width": 1280, "height": 900})
            context.set_default_timeout(ACTION_TIMEOUT_MS)
            page = context.new_page()
            _propose_pin_confirm(live_server, waiting_list, page)
        except Exception:
            if page is not None:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
            raise
        finally:
            browser.close()
    with app.app_context(), tenant_context(waiting_list["id"]):
        pairs = db.session.execute(sa.select(MentoringProcess.mentee_id, MentoringProcess.mentor_id)).all()
    assert len(pairs) == 2


def _propose_pin_confirm(base, partner, page):
    workspace = f"{base}/t/{partner['slug']}"
    log_in(page, base, partner["staff"])
    page.goto(f"{workspace}/matching/batch/")
    page.get_by_role("button", name="Propose").click()
    page.wait_for_url(re.compile(r".*/matching/batch/\d+$"))
    page.get_by_role("heading", name="Proposed pairs").wait_for()
    assert page.locator("#proposal-matched").inner_text() == "2 / 2"
    # The proposal gives Helena to Ana (health) and Hugo to Bia (housing): pin Ana's pair.
    row = page.locator("tr", has_text="Ana Primeira")
    assert "Helena Saúde" in row.inner_text()
    row.get_by_role("button", name="Pin").click()
    page.get_by_text("Saved. Run the proposal again to apply it.").wait_for()
    page.get_by_text("Pinned: Ana Primeira with Helena Saúde").wait_for()
    first_url = page.url
    page.get_by_role("button", name="Run again with the pins and exclusions").click()
    page.wait_for_url(lambda url: url != first_url and re.match(r".*/matching/batch/\d+$", url) is not None)
    page.get_by_role("heading", name="Proposed pairs").wait_for()
    assert "pinned" in page.locator("tr", has_text="Ana Primeira").inner_text()
    # Why not Helena for Bia? Ana would lose her.
    page.get_by_role("link", name="Bia Segunda").click()
    page.get_by_role("button", name="Why not Helena Saúde?").click()
    answer = page.locator("#why-not-answer").inner_text()
    assert "Every place Helena Saúde has left is pinned to another mentee." in answer
    page.go_back()
    page.go_back()
    page.get_by_label("Confirm Ana Primeira with Helena Saúde").check()
    page.get_by_label("Confirm Bia Segunda with Hugo Casa").check()
    page.get_by_role("button", name="Confirm the chosen pairs").click()
    page.get_by_text("2 pairs confirmed. Next: draft their agreements.").wait_for()
    assert page.locator("tr", has_text="Ana Primeira").get_by_text("Confirmed").is_visible()


@pytest.fixture
def choosing_mentee(app):
    """A partner offering the choice, four mentors who agreed to be shown, and a waiting mentee
    with a portal account."""
    from tenants.matching import choice
    from tests.portal.conftest import give_portal_account

    with app.app_context():
        tenant = make_tenant("alfa", kind="municipality", name="Câmara Municipal Alfa")
        staff = make_user("tecnica@alfa.pt", "Teresa Técnica", [(tenant, "staff")], locale="en")
        with tenant_context(tenant.id):
            save_matching_settings({"mentee_choice": True})
            for name, areas in (("Ana Ambas", ["health", "housing"]), ("Bela Saúde", ["health"]),
                                ("Cida Casa", ["housing"]), ("Dina Nada", ["education"])):
                mentor = make_ready_mentor(name, support_areas=areas)
                choice.share_profile(mentor, True, f"Olá, sou a {name.split()[0]}.")
            mentee = make_ready_mentee("Mariam Haddad", support_areas=["health", "housing"])
            db.session.flush()
            give_portal_account(tenant, staff, mentee, locale="en")
        db.session.commit()
        return {"id": tenant.id, "slug": tenant.slug, "mentee": mentee.email}


def test_a_mentee_chooses_a_mentor_on_a_phone(app, live_server, choosing_mentee, sync_playwright, request):  # noqa: F811
    from tenants.matching import choice

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = None
        try:
            context = browser.new_context(locale="en", viewport={"width": 390, "height": 844}, is_mobile=True,
                                          has_touch=True)
            context.set_default_timeout(ACTION_TIMEOUT_MS)
            page = context.new_page()
            _choose_on_a_phone(live_server, choosing_mentee, page)
        except Exception:
            if page is not None:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
            raise
        finally:
            browser.close()
    with app.app_context(), tenant_context(choosing_mentee["id"]):
        [(_, mentee, mentor)] = choice.choices_to_confirm()
        assert (mentee.full_name, mentor.full_name) == ("Mariam Haddad", "Bela Saúde")


def _choose_on_a_phone(base, partner, page):
    log_in(page, base, partner["mentee"], lands_on=re.compile(r".*/t/alfa/.*"))
    page.goto(f"{base}/t/{partner['slug']}/portal/")
    page.get_by_role("link", name="Choose your mentor").click()
    cards = page.locator("article.mentor-card")
    assert [cards.nth(n).locator("h2").inner_text() for n in range(cards.count())] == ["Ana", "Bela", "Cida"]
    text = page.locator("main").inner_text()
    assert "Ambas" not in text and "@" not in text  # first names only, no contacts
    assert "Olá, sou a Ana." in text
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Ask for another instead of Ana").click()
    page.locator("article.mentor-card h2", has_text="Dina").wait_for()
    page.get_by_role("button", name="Choose Bela").click()
    page.get_by_text("Thank you: the team will confirm your mentor soon.").wait_for()
    assert "your choice" in page.locator("article.mentor-card", has_text="Bela").inner_text()
