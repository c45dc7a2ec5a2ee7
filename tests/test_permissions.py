"""Every registered route, for every kind of user: the action each view declares with
`permission_required(...)` (pages) or `api_endpoint(...)` (the API, with a token of every
scope), looked up in the permissions matrix, is what each user gets. A new route without a
rule fails here."""
import re

import pytest

from config import PROJECT_ROOT
from network.core.extensions import db
from network.core.permissions import MATRIX
from network.core.reference.services import create_company
from network.core.tenancy import tenant_context
from tenants.participants.models import Mentee, Mentor
from tenants.processes.models import MentoringProcess
from tests.factories import bearer, login, make_api_token, make_tenant, make_user, objects_for_every_route
from tests.test_translations import english_only_texts, leaked

# Routes outside a workspace, and who reaches them.
PUBLIC = {"accounts.login", "accounts.forgot_password", "accounts.reset_password", "accounts.accept_invitation",
          "accounts.switch_locale", "accounts.home", "static", "favicon", "api.openapi",
          # Operations: no login; /metrics answers only its token or allowed networks (tests/ops).
          "ops.healthz", "ops.readyz", "ops.metrics",
          # A meeting reminder's link: it only stops the reminders of the process and side it signs.
          "reminders.stop"}
LOGGED_IN = {"accounts.account", "accounts.change_password", "accounts.logout", "api_tokens.index",
             "api_tokens.create", "api_tokens.revoke", "sessions.index", "sessions.end", "sessions.end_others",
             "two_factor.manage"}
POST_ONLY = {"accounts.logout", "api_tokens.revoke", "sessions.end", "sessions.end_others"}
# The second step of a login: reached between the password and the code, redirects to /login otherwise.
PUBLIC |= {"two_factor.verify", "two_factor.enrol"}
USERS = ("coordinator", "partner_admin", "staff", "mentor", "mentee", "other_tenant", "anonymous")
# Object-level rules on top of the role: a dashboard export is its requester's only (the
# world's export was asked for by the staff member).
OWNER_ONLY = {"dashboards.export_status": "staff", "dashboards.export_download": "staff"}


@pytest.fixture
def world(app):
    with app.app_context():
        coordination = make_tenant("coordenacao", kind="coordination")
        alpha, beta = make_tenant("alpha", kind="municipality"), make_tenant("beta")
        users = {
            "coordinator": make_user("coord@example.pt", roles=[(coordination, "coordinator")]),
            "partner_admin": make_user("admin@alpha.pt", roles=[(alpha, "partner_admin")]),
            "staff": make_user("staff@alpha.pt", roles=[(alpha, "staff")]),
            "mentor": make_user("mentor@alpha.pt", roles=[(alpha, "mentor")]),
            "mentee": make_user("mentee@alpha.pt", roles=[(alpha, "mentee")]),
            "other_tenant": make_user("staff@beta.pt", roles=[(beta, "staff")]),
        }
        ids = objects_for_every_route(alpha, users["partner_admin"], users["staff"])
        with tenant_context(alpha.id):
            # The portal users are the mentor and the mentee of the process in the URLs.
            process = db.session.get(MentoringProcess, ids["process_id"])
            db.session.get(Mentor, process.mentor_id).user_id = users["mentor"].id
            db.session.get(Mentee, process.mentee_id).user_id = users["mentee"].id
        ids |= {"partner_id": alpha.id, "company_id": create_company("Empresa Alfa").id}
        tokens = {role: make_api_token(user) for role, user in users.items()}
        db.session.commit()
        return {"ids": ids, "emails": {role: user.email for role, user in users.items()}, "tokens": tokens,
                "slugs": {"coordinator": coordination.slug, "partner": alpha.slug}}


def _url(rule, slug, ids):
    values = {"tenant_slug": slug, **ids}
    return re.sub(r"<(?:[^<>:]+:)?(\w+)>", lambda match: str(values[match.group(1)]), rule.rule)


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _is_api(rule):
    return rule.endpoint.startswith("api.")


def _slug_for(world, required):
    # Coordination pages live in the coordination workspace, the others in the partner's.
    return world["slugs"]["coordinator" if required == {"coordinator"} else "partner"]


def _allowed(world, user, rule, required, slug):
    return (user in required and (user == "coordinator") == (slug == world["slugs"]["coordinator"])
            and OWNER_ONLY.get(rule.endpoint, user) == user)


def test_every_route_has_a_rule(app):
    for rule in _rules(app):
        action = getattr(app.view_functions[rule.endpoint], "required_action", None)
        if "tenant_slug" in rule.arguments:
            assert action in MATRIX, f"{rule.rule} has no permission_required(...)"
        else:
            assert rule.endpoint in PUBLIC | LOGGED_IN, f"{rule.rule}: declare who may reach it in this test"


@pytest.mark.parametrize("user", USERS)
def test_each_user_gets_what_the_rule_says_on_every_workspace_route(app, world, user):
    client = app.test_client()
    if user != "anonymous":
        login(client, world["emails"][user])
    checked, english_only = 0, english_only_texts()
    for rule in _rules(app):
        if "tenant_slug" not in rule.arguments or _is_api(rule):
            continue
        required = app.view_functions[rule.endpoint].required_roles
        slug = _slug_for(world, required)
        # A participant's portal profile is the one of their own side.
        ids = world["ids"] | ({"side": user} if user in ("mentor", "mentee") else {})
        url = _url(rule, slug, ids)
        allowed = _allowed(world, user, rule, required, slug)
        for method in ("GET", "POST"):
            if method not in rule.methods or (allowed and method == "POST"):
                continue  # an allowed POST would change the world the next requests read
            response = client.open(url, method=method)
            if user == "anonymous":
                assert response.status_code == 302 and "/login" in response.location, f"{method} {url}"
            elif allowed:
                assert response.status_code in (200, 302), f"{user}: {method} {url} -> {response.status_code}"
                assert "/login" not in (response.location or ""), f"{user}: {method} {url}"
                if response.mimetype == "text/html":
                    # Every page, as its users see it in Portuguese (the default): no English left.
                    page = response.get_data(as_text=True)
                    leaks = leaked(english_only, page)
                    assert leaks == [], f"{user}: {url} shows untranslated text: {leaks}"
            else:
                assert response.status_code == 404, f"{user}: {method} {url} -> {response.status_code}"
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("user", USERS)
def test_each_user_gets_what_the_rule_says_on_every_api_route(app, world, user):
    """The same walk for the API, with a token of every scope: 200 where the matrix allows,
    404 elsewhere, 401 without a token; a session cookie alone never counts."""
    client = app.test_client()
    if user != "anonymous":
        login(client, world["emails"][user])  # the session must not authenticate the API
    headers = {} if user == "anonymous" else bearer(world["tokens"][user])
    checked = 0
    for rule in _rules(app):
        if "tenant_slug" not in rule.arguments or not _is_api(rule):
            continue
        required = app.view_functions[rule.endpoint].required_roles
        slug = _slug_for(world, required)
        url = _url(rule, slug, world["ids"])
        allowed = _allowed(world, user, rule, required, slug)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if allowed and method != "GET":
                continue  # an allowed write would change the world the next requests read
            response = client.open(url, method=method, headers=headers)
            assert response.mimetype == "application/json", f"{user}: {method} {url}"
            expected = 401 if user == "anonymous" else 200 if allowed else 404
            assert response.status_code == expected, f"{user}: {method} {url} -> {response.status_code}"
            if user != "anonymous":
                assert client.open(url, method=method).status_code == 401, f"session alone: {method} {url}"
            checked += 1
    assert checked >= 12


def test_routes_outside_workspaces(app, world):
    anonymous = app.test_client()
    for endpoint in LOGGED_IN - POST_ONLY:
        rule = next(rule for rule in _rules(app) if rule.endpoint == endpoint)
        response = anonymous.get(rule.rule)
        assert response.status_code == 302 and "/login" in response.location, endpoint
    for path in ("/login", "/password/forgot"):
        assert anonymous.get(path).status_code == 200


def test_every_action_in_the_matrix_guards_something(app):
    used = {getattr(view, "required_action", None) for view in app.view_functions.values()}
    assert set(MATRIX) - used == set(), "remove the actions no view or API endpoint performs"


def test_the_documented_matrix_is_the_one_in_force(app):
    from network.core.permissions import matrix_markdown

    documented = (PROJECT_ROOT / "docs" / "permissions.md").read_text()
    assert documented.endswith("\n\n" + matrix_markdown(app.view_functions)), \
        "docs/permissions.md is stale: replace its table with the output of `flask permissions`"
