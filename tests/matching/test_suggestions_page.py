"""The matching page: every suggestion with its breakdown, and what rendering them costs, which
must not grow with each suggestion beyond its own rows (the page shows ten)."""
import html
import re
from itertools import count

import flask_babel
from babel.numbers import NumberPattern
from flask_babel import force_locale

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.matching import services
from tenants.participants.models import Mentee
from tests.factories import login, make_tenant, make_user
from tests.test_query_counts import _mentee, add_mentors, statements_of


def _page(app, client, mentors):
    """The tenant, a mentee and `mentors` mentors who can all be suggested; staff logged in (en)."""
    with app.app_context():
        tenant = make_tenant("alpha", kind="municipality")
        make_user("admin@alpha.pt", "Ana Admin", [(tenant, "partner_admin"), (tenant, "staff")])
        tenant_id = tenant.id
        db.session.commit()
    numbers = count(1)
    with app.app_context(), tenant_context(tenant_id):
        mentee_id = _mentee(next(numbers)).id
        add_mentors(numbers, mentors, None)
        db.session.commit()
    login(client, "admin@alpha.pt", locale="en")
    return tenant_id, mentee_id, numbers, f"/t/alpha/matching/mentees/{mentee_id}"


def _text(fragment):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def test_the_page_shows_each_suggestion_with_every_criterion_explained(app, client):
    tenant_id, mentee_id, _, path = _page(app, client, 3)
    page = client.get(path).get_data(as_text=True)
    with app.test_request_context("/"), tenant_context(tenant_id), force_locale("en"):
        expected = services.explained(services.suggest_mentors(db.session.get(Mentee, mentee_id)))
        cards = page.split('<article class="panel suggestion"')[1:]
        assert len(cards) == len(expected) == 3
        for card, (suggestion, explanation) in zip(cards, expected, strict=True):
            assert suggestion.candidate.name in card and f'value="{suggestion.candidate.id}"' in card
            assert f"{suggestion.total:g} of 100" in _text(card)
            rows = [_text(row) for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", card, re.S)]
            assert rows == [f"{label} {points:g} / {maximum:g} {sentence}"
                            for label, points, maximum, sentence in explanation]
            assert 'name="cadence"' in card and "Match with " + suggestion.candidate.name in _text(card)


def test_the_page_looks_up_as_many_templates_for_10_suggestions_as_for_2(app, client, monkeypatch):
    tenant_id, _, numbers, path = _page(app, client, 2)
    look_ups = []
    get_template = app.jinja_env.get_template

    def counted(*args, **kwargs):
        look_ups.append(args[0])
        return get_template(*args, **kwargs)

    monkeypatch.setattr(app.jinja_env, "get_template", counted)
    client.get(path)
    with_two, look_ups[:] = list(look_ups), []
    with app.app_context(), tenant_context(tenant_id):
        add_mentors(numbers, 8, None)
        db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert page.count('name="candidate_id"') == 10
    # An include per suggestion looked its template up (and copied the page's context) each time.
    assert look_ups == with_two, look_ups


def test_the_page_formats_a_number_it_has_shown_before_without_the_pattern(app, client, monkeypatch):
    _, _, _, path = _page(app, client, 10)
    client.get(path)
    applied = []
    apply = NumberPattern.apply

    def counted(self, *args, **kwargs):
        applied.append(args[0])
        return apply(self, *args, **kwargs)

    monkeypatch.setattr(NumberPattern, "apply", counted)
    page = client.get(path).get_data(as_text=True)
    assert page.count('name="candidate_id"') == 10
    # The same page again: its 130 points, maximums and totals are all numbers it has shown.
    assert applied == []


def test_the_page_reads_the_mentee_with_its_needs_and_languages(app, client):
    _, _, _, path = _page(app, client, 3)
    client.get(path)
    statements = [statement for statement in statements_of(app, client, path) if "set_config" not in statement]
    # The mentee's links came in two lazy loads of their own (two more round trips).
    assert not [statement for statement in statements
                if re.search(r"\bFROM mentee_(support_areas|languages)\b", statement)
                and "FROM mentees" not in statement], statements


def test_each_more_suggestion_translates_only_its_own_sentences(app, client, monkeypatch):
    tenant_id, _, numbers, path = _page(app, client, 2)
    look_ups = []
    find_context = flask_babel._get_current_context

    def counted():
        look_ups.append(1)
        return find_context()

    monkeypatch.setattr(flask_babel, "_get_current_context", counted)
    client.get(path)
    with_two, look_ups[:] = len(look_ups), []
    with app.app_context(), tenant_context(tenant_id):
        add_mentors(numbers, 8, None)
        db.session.commit()
    assert client.get(path).get_data(as_text=True).count('name="candidate_id"') == 10
    # Flask-Babel's look-ups of its request context: the six sentences of each suggestion's
    # breakdown; the criteria's and the cadences' labels were translated again in each one.
    assert len(look_ups) - with_two <= 8 * 6, (with_two, len(look_ups))
