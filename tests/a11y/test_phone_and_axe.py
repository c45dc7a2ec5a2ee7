"""The pages in a real browser (issue 21): at phone width (390×844) every table cell of the
national dashboard and the staff process pages has a visible header or label and chart text is
at least 11 px; and axe-core (vendored in this folder, run offline) finds nothing on any page a
bounded crawl of the staff, portal and coordinator areas reaches, in Portuguese and in English."""
import time
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest
import sqlalchemy as sa

from network.core.accounts.models import User
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.processes import services as processes
from tenants.processes.models import MentoringProcess
from tests.browser import log_in
from tests.dashboards.history import History, make_network
from tests.portal.conftest import give_portal_account, ready_mentee, ready_mentor, walk_process
from tests.portal.test_browser import (  # noqa: F401 (fixtures)
    ACTION_TIMEOUT_MS,
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
    sync_playwright,
)

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "axe.min.js").read_text()
PHONE = {"width": 390, "height": 844}
PAGES_PER_AREA = 7  # per area and language: the crawl stays well under a minute
SKIPPED = ("/logout", "/export", ".json", ".csv", ".xlsx", ".pdf", "/print", "/download", "/locale")

# Every td: its own data-label shown before it (a stacked table), or its column's header visible.
UNLABELLED_CELLS = """() => {
  const bad = [];
  for (const cell of document.querySelectorAll('main td')) {
    if (cell.getBoundingClientRect().width === 0) continue;
    const before = getComputedStyle(cell, '::before').content;
    if (cell.dataset.label && before && before !== 'none' && before.includes(cell.dataset.label)) continue;
    const table = cell.closest('table');
    const headers = table.tHead ? table.tHead.rows[0].cells : [];
    const header = headers[cell.cellIndex];
    const box = header && header.getBoundingClientRect();
    if (header && box.width > 1 && box.height > 1 && header.textContent.trim()) continue;
    bad.push((table.caption ? table.caption.textContent : '') + ': ' + cell.textContent.trim());
  }
  return bad;
}"""
# The smallest chart text as drawn: its font size times the SVG's scale on the screen.
SMALLEST_CHART_TEXT = """() => {
  let smallest = Infinity;
  for (const svg of document.querySelectorAll('svg.chart')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll('text')) {
      smallest = Math.min(smallest, parseFloat(getComputedStyle(text).fontSize) * scale);
    }
  }
  return smallest;
}"""
# Chart texts that overlap one another (legends, axis labels).
OVERLAPPING_TEXT = """() => {
  const clashes = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    const boxes = [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBoundingClientRect()]);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, p] = boxes[i], [b, q] = boxes[j];
      if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1) {
        clashes.push(a + ' / ' + b);
      }
    }
  }
  return clashes;
}"""


@pytest.fixture
def world(app):
    """A small network with a history (the dashboard has figures), and in partner alpha a staff
    member, a mentor and a mentee with portal accounts and a process in each open state."""
    with app.app_context():
        network = make_network()
        history = History(network, 5)
        for _ in range(25):
            history.step()
        alpha = network.partners[0]
        with tenant_context(alpha.id):
            staff = db.session.scalar(sa.select(User).where(User.id == alpha.staff.id))
            mentor = ready_mentor("Łukasz Nowak", "lukasz@example.pt")
            mentee = ready_mentee("Amina Yusuf", "amina@example.pt")
            mentor_user = give_portal_account(_tenant(alpha.id), staff, mentor)
            mentee_user = give_portal_account(_tenant(alpha.id), staff, mentee)
            process = processes.create_process(mentor, mentee, staff)
            walk_process(process, staff, "active")
            process_ids = [p.id for p in db.session.scalars(sa.select(MentoringProcess))]
        db.session.commit()
        return {"coordination": network.coordination.slug, "coordinator": network.coordinator.email,
                "slug": alpha.slug, "staff": alpha.staff.email, "mentor": mentor_user.email,
                "mentee": mentee_user.email, "processes": process_ids}


def _tenant(tenant_id):
    from network.core.tenancy.models import Tenant

    return db.session.get(Tenant, tenant_id)


def _log_in(page, base, email, locale):
    page.goto(f"{base}/login")
    page.request.post(f"{base}/locale", form={"locale": locale,
                                              "csrf_token": page.locator("input[name=csrf_token]").first.get_attribute(
                                                  "value")})
    log_in(page, base, email, lands_on=None)


def _browser_page(browser, viewport=PHONE):
    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE, has_touch=viewport is PHONE,
                                  bypass_csp=True)  # the vendored axe is added as a script tag
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context.new_page()


def test_phone_tables_have_labels_and_charts_readable_text(live_server, world, sync_playwright):  # noqa: F811
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = _browser_page(browser)
            _log_in(page, live_server, world["coordinator"], "pt_PT")
            page.goto(f"{live_server}/t/{world['coordination']}/dashboard?from=2025-01&to=2026-12&district=porto")
            assert page.locator("main td").count() > 20
            assert page.evaluate(UNLABELLED_CELLS) == []
            assert page.evaluate(SMALLEST_CHART_TEXT) >= 11
            assert page.evaluate(OVERLAPPING_TEXT) == []
            desktop = _browser_page(browser, {"width": 1280, "height": 900})
            _log_in(desktop, live_server, world["coordinator"], "en")
            desktop.goto(f"{live_server}/t/{world['coordination']}/dashboard?from=2025-01&to=2026-12")
            assert desktop.evaluate(OVERLAPPING_TEXT) == []
            staff = _browser_page(browser)
            _log_in(staff, live_server, world["staff"], "pt_PT")
            staff.goto(f"{live_server}/t/{world['slug']}/processes/")
            assert staff.locator("main td").count() > 0 and staff.evaluate(UNLABELLED_CELLS) == []
            for process_id in world["processes"][:3]:
                staff.goto(f"{live_server}/t/{world['slug']}/processes/{process_id}")
                assert staff.evaluate(UNLABELLED_CELLS) == []
        finally:
            browser.close()


def _links(page, base, area):
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        url = urldefrag(href)[0]
        path = urlparse(url).path
        if url.startswith(base) and path.startswith(area) and not any(skip in url for skip in SKIPPED):
            found.append(url)
    return found


def _axe_violations(page):
    page.add_script_tag(content=AXE)
    result = page.evaluate("async () => (await axe.run(document)).violations"
                           ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))")
    return result


def _crawl(page, base, start, area):
    """Breadth first from `start`, GET links under `area` only, at most PAGES_PER_AREA pages."""
    queue, seen, problems = deque([start]), {start}, {}
    visited = 0
    while queue and visited < PAGES_PER_AREA:
        url = queue.popleft()
        response = page.goto(url)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited += 1
        violations = _axe_violations(page)
        if violations:
            problems[url] = violations
        for link in _links(page, base, area):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return visited, problems


@pytest.mark.parametrize("locale", ["pt_PT", "en"])
def test_axe_finds_nothing_on_the_pages_a_crawl_reaches(live_server, world, sync_playwright, locale):  # noqa: F811
    started = time.monotonic()
    areas = [("staff", f"/t/{world['slug']}/", f"/t/{world['slug']}/"),
             ("mentee", f"/t/{world['slug']}/portal/", f"/t/{world['slug']}/portal/"),
             ("coordinator", f"/t/{world['coordination']}/", f"/t/{world['coordination']}/")]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            problems, visited = {}, 0
            for who, start, area in areas:
                page = _browser_page(browser)
                _log_in(page, live_server, world[who], locale)
                count, found = _crawl(page, live_server, live_server + start, area)
                visited += count
                problems.update(found)
                page.context.close()
        finally:
            browser.close()
    assert visited >= 12
    assert problems == {}
    assert time.monotonic() - started < 60
