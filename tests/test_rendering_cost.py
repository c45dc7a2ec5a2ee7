"""What a page spends on translating: the request's translations found once per locale (not
for every string), each locale's date patterns parsed once (not for every date); the text the
same as Flask-Babel's own."""
from datetime import UTC, date, datetime
from itertools import count
from types import SimpleNamespace

import flask_babel
import pytest
from flask_babel import force_locale, gettext

from network.core.accounts.models import User
from network.core.extensions import db
from network.core.tenancy import tenant_context
from network.core.tenancy.models import Tenant
from tests.factories import login, make_tenant, make_user
from tests.test_query_counts import add_processes


@pytest.mark.parametrize("locale", ["pt_PT", "en"])
def test_the_date_filter_writes_what_flask_babel_writes(app, locale):
    template = app.jinja_env.from_string(
        "{{ day|dateformat }}|{{ day|dateformat('short') }}|{{ day|dateformat('long') }}|{{ day|dateformat('full') }}"
        "|{{ moment|dateformat }}|{{ day|dateformat('yyyy/MM') }}")
    day, moment = date(2026, 3, 9), datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    with app.test_request_context("/"), force_locale(locale):
        expected = "|".join([flask_babel.format_date(day), flask_babel.format_date(day, "short"),
                             flask_babel.format_date(day, "long"), flask_babel.format_date(day, "full"),
                             flask_babel.format_date(moment), flask_babel.format_date(day, "yyyy/MM")])
        assert template.render(day=day, moment=moment) == expected


@pytest.mark.parametrize("locale", ["pt_PT", "en"])
def test_the_number_filters_write_what_flask_babel_writes(app, locale):
    template = app.jinja_env.from_string(
        "{% for n in values %}{{ n|decimalformat('#0.#') }} {{ n|decimalformat }} {{ n|numberformat }};{% endfor %}")
    values = [0, 3.25, 12.05, 1234567.891, -7, 0.0, -0.0, 1, 1.0, 43.3, 43.3]
    with app.test_request_context("/"), force_locale(locale):
        expected = "".join(f"{flask_babel.format_decimal(n, '#0.#')} {flask_babel.format_decimal(n)} "
                           f"{flask_babel.format_number(n)};" for n in values)
        assert template.render(values=values) == expected


def test_a_forced_locale_inside_a_request_translates_in_that_locale(app):
    template = app.jinja_env.from_string("{{ _('Log out') }}")
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert template.render() == gettext("Log out") == "Log out"
        with force_locale("pt_PT"):
            assert template.render() == gettext("Log out") != "Log out"
        assert template.render() == "Log out"


def test_the_process_list_finds_its_translations_once(app, client, monkeypatch):
    with app.app_context():
        tenant = make_tenant("alpha", kind="municipality")
        staff = make_user("admin@alpha.pt", "Ana Admin", [(tenant, "staff")])
        db.session.commit()
        tenant_id, staff_id = tenant.id, staff.id
    with app.app_context(), tenant_context(tenant_id):
        partner = SimpleNamespace(tenant=db.session.get(Tenant, tenant_id), staff=db.session.get(User, staff_id))
        add_processes(count(1), 25, partner)
        db.session.commit()
    login(client, "admin@alpha.pt", locale="en")
    look_ups = []
    find_context = flask_babel._get_current_context

    def counted():
        look_ups.append(1)
        return find_context()

    monkeypatch.setattr(flask_babel, "_get_current_context", counted)
    response = client.get("/t/alpha/processes/")
    assert response.status_code == 200 and response.get_data(as_text=True).count("<tr>") == 26
    # Flask-Babel's look-ups of its request context: one for each string translated in Python (the
    # rows' states), a few for the locale, none for the template's strings and dates (268 before).
    assert len(look_ups) <= 40, len(look_ups)
