"""The five attacks of issue 16, as a coordinator would run them on what they can fetch (the
API's aggregates, the partner pages), each against a small world built to make it work.

The attacker reads each figure as the policy says it was published: an exact number (no
`rounding_base` in the body), "< k" for a suppressed small count, "x" for a hidden one, or,
with a `rounding_base` b, a count within b - 1 of the figure (the most an attacker can assume of
a one-row figure). The attack succeeds when a linear programme over those readings pins the
target or bounds it below k. Each world also passes the whole audit."""
import re

from scipy.optimize import linprog

from network.core.accounts.models import User
from network.core.extensions import db
from network.core.tenancy import tenant_context
from network.national.disclosure.audit import audit
from tests.dashboards.history import make_network
from tests.factories import bearer, login, make_api_token, make_mentee

K = 5


def _reading(figure, body):
    """(low, high) of a published figure, or None when it says nothing."""
    if isinstance(figure, dict):  # {"value", "suppressed"}: the format with suppression
        if figure["suppressed"] == "primary":
            return (1, K - 1)
        return None if figure["value"] is None else (figure["value"], figure["value"])
    if figure is None:
        return None
    base = body.get("rounding_base")
    return (figure, figure) if base is None else (max(0, figure - (base - 1)), figure + base - 1)


def _pinned_or_small(names, readings, sums, target):
    """Solve for `target` (a name) with `readings` {name: (low, high)} and `sums`
    [(names, (low, high))]; True when its interval is one value or stays below K."""
    index = {name: i for i, name in enumerate(names)}
    bounds = [readings.get(name, (0, None)) for name in names]
    rows, rhs = [], []
    for members, (low, high) in sums:
        row = [1.0 if name in members else 0.0 for name in names]
        rows += [row, [-value for value in row]]
        rhs += [high, -low]
    result = []
    for sense in (-1.0, 1.0):
        objective = [0.0] * len(names)
        objective[index[target]] = sense
        solved = linprog(objective, A_ub=rows or None, b_ub=rhs or None, bounds=bounds, method="highs")
        assert solved.status == 0, solved.message
        result.append(solved.x[index[target]])
    high, low = result
    return high < K - 1e-6 or high - low < 1 - 1e-6


def _fetch(client, token, **filters):
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    response = client.get(f"/api/v1/t/coordenacao/aggregates?{query}", headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _table(body, key):
    return next(table for table in body["tables"] if table["key"] == key)


def _column(table, row, column):
    return table["cells"][table["rows"].index(str(row))][table["columns"].index(column)]


def _world(app, partners, people):
    """`people`: {partner index: [country of each mentee]}; returns (coordinator token, network)."""
    with app.app_context():
        network = make_network(partners)
        for index, countries in people.items():
            with tenant_context(network.partners[index].id):
                for number, country in enumerate(countries):
                    make_mentee(f"Pessoa {index} {number}", email=f"p{index}.{number}@example.pt",
                                country_of_origin=country)
        db.session.commit()
        token = make_api_token(network.coordinator, scopes=["aggregates:read"])
        # Read while the objects are in this session (the tests use them after).
        network.coordinator_email = network.coordinator.email
        network.staff_ids = [partner.staff.id for partner in network.partners]
        db.session.commit()
    return token, network


def _audit_passes(app):
    with app.app_context():
        result = audit()
    assert result.passed, result.failures[:5]


def test_attack_1_small_countries_under_a_shown_total(app, client):
    """A district's seven countries, each 1 mentee, under their total."""
    countries = ["BR", "AO", "UA", "IN", "CV", "NP", "MA"]
    token, _ = _world(app, [("alpha", "ngo", "evora")], {0: countries})
    body = _fetch(client, token, district="evora")
    table = _table(body, "country")
    readings = {}
    for country in countries:
        if country in table["rows"]:
            reading = _reading(_column(table, country, "mentees_registered"), body)
            if reading:
                readings[country] = reading
        else:
            readings[country] = _reading(0, body)  # not listed: published as 0
    # Every country published as 0: the table has no rows and no total.
    totals = table["column_totals"]
    total = _reading(totals[table["columns"].index("mentees_registered")], body) if totals else None
    sums = [(countries, total)] if total and "rounding_base" not in body else []
    assert not any(_pinned_or_small(countries, readings, sums, country) for country in countries)
    _audit_passes(app)


def test_attack_2_a_district_is_the_total_minus_the_others_one_known_zero(app, client):
    """Two districts: Évora (2 mentees) and Faro, whose one partner shows 0 in the partners
    table; the national column total minus Faro gives Évora."""
    token, network = _world(app, [("alpha", "ngo", "evora"), ("beta", "ngo", "faro"), ("gama", "ngo", "porto")],
                            {0: ["BR", "UA"], 2: ["BR"] * 9})
    body = _fetch(client, token)
    by_district, by_partner = _table(body, "by_district"), _table(body, "by_partner")
    column = "mentees_registered"
    names = list(by_district["rows"])
    readings = {name: r for name in names if (r := _reading(_column(by_district, name, column), body))}
    beta = network.partners[1].id
    faro = _reading(_column(by_partner, beta, column), body)
    if faro:  # the partner table: Faro's only partner
        low, high = readings.get("faro", (0, None))
        readings["faro"] = (max(low, faro[0]), faro[1] if high is None else min(high, faro[1]))
    total = _reading(by_district["column_totals"][by_district["columns"].index(column)], body)
    sums = [(names, total)] if total and "rounding_base" not in body else []
    assert not _pinned_or_small(names, readings, sums, "evora")
    _audit_passes(app)


def test_attack_3_two_small_partners_inside_a_shown_district(app, client):
    """Two partners of 3 mentees each in a district whose total (6) is shown."""
    token, network = _world(app, [("alpha", "ngo", "evora"), ("beta", "municipality", "evora")],
                            {0: ["BR", "UA", "AO"], 1: ["BR", "UA", "AO"]})
    body = _fetch(client, token, district="evora")
    by_partner = _table(body, "by_partner")
    column = "mentees_registered"
    names = [str(partner.id) for partner in network.partners]
    readings = {name: r for name in names if (r := _reading(_column(by_partner, name, column), body))}
    district = _reading(_column(_table(body, "by_district"), "evora", column), body)
    sums = [(names, district)] if district and "rounding_base" not in body else []
    assert not any(_pinned_or_small(names, readings, sums, name) for name in names)
    _audit_passes(app)


def test_attack_4_a_filtered_view_pins_the_unfiltered_one(app, client):
    """Évora filtered: its country table; the unfiltered view's Évora row is its total."""
    token, _ = _world(app, [("alpha", "ngo", "evora"), ("beta", "ngo", "porto")],
                      {0: ["BR"] * 6 + ["UA"] * 2, 1: ["UA"] * 7})
    filtered, unfiltered = _fetch(client, token, district="evora"), _fetch(client, token)
    countries = _table(filtered, "country")
    names = list(countries["rows"])
    readings = {name: r for name in names
                if (r := _reading(_column(countries, name, "mentees_registered"), filtered))}
    evora = _reading(_column(_table(unfiltered, "by_district"), "evora", "mentees_registered"), unfiltered)
    sums = [(names, evora)] if evora and "rounding_base" not in unfiltered else []
    assert "UA" in names or "rounding_base" in filtered
    assert not ("UA" in names and _pinned_or_small(names, readings, sums, "UA"))
    _audit_passes(app)


def test_attack_5_the_partner_page_counts_the_dashboard_hides(app, client):
    """One partner in Évora with two open processes, a Brazilian and a Ukrainian mentee: the
    partner page's processes by state add up to the district's active mentees."""
    from tenants.processes import services as processes
    from tests.factories import make_ready_mentee, make_ready_mentor

    token, network = _world(app, [("alpha", "ngo", "evora")], {})
    with app.app_context():
        partner = network.partners[0]
        with tenant_context(partner.id):
            for number, country in enumerate(("BR", "UA")):
                mentee = make_ready_mentee(f"Pessoa {number}", country_of_origin=country)
                mentor = make_ready_mentor(f"Mentor {number}")
                processes.create_process(mentor, mentee, db.session.get(User, network.staff_ids[0]))
        db.session.commit()
    body = _fetch(client, token, district="evora")
    countries = _table(body, "country")
    names = ["BR", "UA"]
    readings = {}
    for name in names:
        figure = _column(countries, name, "active_mentees") if name in countries["rows"] else 0
        if (reading := _reading(figure, body)):
            readings[name] = reading
    login(client, network.coordinator_email, locale="en")
    page = client.get(f"/t/coordenacao/partners/{partner.id}").get_data(as_text=True)
    section = page[page.index("Mentoring processes by state"):]
    open_rows = re.findall(r'<th scope="row">(Matched|Agreement signed|Active|In final evaluation|'
                           r'Open \(matched to final evaluation\))</th><td class="num">([\d\s.,\u202f\xa0]+)</td>',
                           section)
    open_total = sum(int(re.sub(r"\D", "", count)) for _, count in open_rows)
    sums = [(names, _reading(open_total, body))]
    assert not any(_pinned_or_small(names, readings, sums, name) for name in names)
    _audit_passes(app)
