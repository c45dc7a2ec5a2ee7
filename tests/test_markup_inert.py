"""Markup, script and SQL typed into any free-text field are stored as typed and shown inert
on every page: every text column of every row in the world is prefixed with a payload, then
every page is rendered for every kind of user."""
import pytest
import sqlalchemy as sa

from network.core.database import owner_engine
from network.core.extensions import db
from tests.factories import login
from tests.test_permissions import _rules, _url, world  # noqa: F401 (the fixture)

PAYLOAD = "<script>alert(1)</script>'; DROP TABLE users;--"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Columns whose value is a key for the application, not text people type.
KEYS = ("hash", "token", "slug", "locale", "message_id", "dedupe_key")


def _free_text_columns(reference_tables):
    for table in db.metadata.sorted_tables:
        if table.name in reference_tables:
            continue  # the schema's own reference rows outlive the test
        for column in table.columns:
            if (isinstance(column.type, sa.String) and not isinstance(column.type, sa.Enum)
                    and (column.type.length or 1000) >= 60 and not column.primary_key and not column.foreign_keys
                    and not any(key in column.name for key in KEYS)
                    and (table.name, column.name) != ("users", "email")):
                yield table, column


def _prefix_every_text_value(reference_tables):
    with owner_engine().begin() as connection:
        for table, column in _free_text_columns(reference_tables):
            limit = column.type.length or 100_000
            connection.execute(table.update().where(column.is_not(None)).values(
                {column.name: sa.func.substr(sa.literal(PAYLOAD) + column, 1, limit)}))


@pytest.mark.parametrize("user", ("coordinator", "partner_admin", "staff", "mentor", "mentee"))
def test_typed_markup_is_inert_on_every_page(app, world, user):  # noqa: F811
    with app.app_context():
        _prefix_every_text_value(app.extensions["seeded_rows"])
    client = app.test_client()
    login(client, world["emails"][user])
    shown = 0
    for rule in _rules(app):
        view = app.view_functions[rule.endpoint]
        if "GET" not in rule.methods or user not in getattr(view, "required_roles", ()):
            continue
        slug = world["slugs"]["coordinator" if user == "coordinator" else "partner"]
        ids = world["ids"] | ({"side": user} if user in ("mentor", "mentee") else {})
        response = client.get(_url(rule, slug, ids))
        if response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        assert "<script>alert" not in page, f"{user}: {rule.rule} renders typed markup"
        shown += ESCAPED in page
    assert shown >= 3, "the payload reached too few pages for this test to mean anything"
