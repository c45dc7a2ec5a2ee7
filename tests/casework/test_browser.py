"""Casework in a real browser (headless Chromium, CSRF on): a case given to a staff member shows
in their caseload; a task appears, leads to the page that resolves it and is gone once done; an
English-speaking mentee is written to in English."""
import re
from datetime import date

import pytest
import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.participants.models import Mentee
from tests.browser import log_in
from tests.factories import PASSWORD, make_mentee, make_tenant, make_user
from tests.portal.test_browser import ACTION_TIMEOUT_MS, ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, JOIN_LINK

pytestmark = pytest.mark.browser


@pytest.fixture
def partner(app):
    with app.app_context():
        tenant = make_tenant("alfa", kind="municipality", name="Câmara Municipal Alfa")
        make_user("tecnica@alfa.pt", "Teresa Técnica", [(tenant, "staff")], locale="en")
        make_user("colega@alfa.pt", "Carlos Colega", [(tenant, "staff")], locale="en")
        with tenant_context(tenant.id):
            ids = {name: make_mentee(name).id for name in ("Nadia Candidata", "Rita Outra")}
        db.session.commit()
        return {"id": tenant.id, "workspace": f"/t/{tenant.slug}", "staff": "tecnica@alfa.pt", **ids}


@pytest.fixture
def browser_page(sync_playwright, request):
    """One page (phone width) of a fresh headless Chromium; screenshots on failure."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en", viewport={"width": 390, "height": 844})
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        page = context.new_page()
        failed = request.session.testsfailed
        try:
            yield page
        finally:
            if request.session.testsfailed != failed:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
            browser.close()


def test_a_mentee_assigned_to_me_is_in_my_caseload(live_server, partner, browser_page):
    page, workspace = browser_page, f"{live_server}{partner['workspace']}"
    log_in(page, live_server, partner["staff"])
    page.goto(f"{workspace}/mentees/{partner['Nadia Candidata']}")
    assert page.locator(".owner-name").inner_text() == "Unassigned"
    page.select_option("#f-owner_id", label="Teresa Técnica")
    page.get_by_role("button", name="Assign").click()
    page.get_by_text("Responsible staff member: Teresa Técnica.").wait_for()
    assert page.locator(".owner-name").inner_text() == "Teresa Técnica"

    page.goto(f"{workspace}/mentees")
    page.select_option("#f-owner", "mine")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r".*owner=mine.*"))
    results = page.locator("main").inner_text()
    assert "Nadia Candidata" in results and "Rita Outra" not in results


def test_a_task_appears_links_to_its_page_and_disappears_when_resolved(live_server, partner, browser_page):
    page, workspace = browser_page, f"{live_server}{partner['workspace']}"
    log_in(page, live_server, partner["staff"])
    page.get_by_role("link", name="Tasks").first.click()
    page.get_by_role("link", name="All", exact=True).click()
    row = page.locator("tbody tr", has_text="Nadia Candidata")
    assert "Unassigned" in row.inner_text()
    row.get_by_role("link", name="Mentee to interview").click()
    page.wait_for_url(re.compile(rf".*/mentees/{partner['Nadia Candidata']}/interview$"))
    page.fill("#f-held_on", date.today().isoformat())
    page.select_option("#f-recommendation", "accept")
    page.locator("main form button[type=submit]").click()
    page.get_by_text("The interview is recorded.").wait_for()

    page.goto(f"{workspace}/tasks?scope=all")
    tasks = page.locator("main").inner_text()
    assert "Nadia Candidata" not in tasks and "Rita Outra" in tasks


def test_an_english_speaking_mentee_gets_english_e_mails(app, live_server, partner, browser_page):
    page, workspace = browser_page, f"{live_server}{partner['workspace']}"
    log_in(page, live_server, partner["staff"])
    page.goto(f"{workspace}/mentees/new")
    page.fill("#f-full_name", "Olena Shevchenko")
    page.fill("#f-email", "olena@example.pt")
    page.fill("#f-municipality", "Lisboa")
    page.select_option("#f-preferred_language", "en")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r".*/mentees/\d+$"))
    assert "English" in page.locator("dt:has-text('Preferred language') + dd").inner_text()
    page.get_by_role("button", name="Invite to the portal").click()
    page.get_by_text("Invitation to the portal sent").wait_for()

    message = app.extensions["sent_mail"][-1]
    assert message["to"] == "olena@example.pt"
    assert message["subject"] == "Your access to the mentoring programme with Câmara Municipal Alfa"
    assert "Hello Olena Shevchenko," in message["body"]
    with app.app_context(), tenant_context(partner["id"]):
        assert db.session.scalar(sa.select(Mentee.preferred_language).filter_by(email="olena@example.pt")) == "en"

    # She accepts in a browser that asks for Portuguese: her account opens in her language.
    mentee = page.context.browser.new_context(locale="pt-PT", viewport={"width": 390, "height": 844}).new_page()
    mentee.goto(JOIN_LINK.search(message["body"]).group(1))
    mentee.fill("#f-name", "Olena Shevchenko")
    mentee.fill("#f-password", PASSWORD)
    mentee.fill("#f-password_confirm", PASSWORD)
    mentee.locator("main form button[type=submit]").click()
    mentee.wait_for_url(re.compile(r".*/portal/$"))
    assert mentee.locator("html").get_attribute("lang") == "en"
