"""The benchmarks' synthetic network still fits the schema: a tiny one is generated into the
test database (PostgreSQL only: the generator writes with COPY), every foreign key is checked
when it is added back, and the programme's rules hold."""
import psycopg

from bench.generate import check_consistency, generate
from tests.conftest import DATABASE_URL

PSYCOPG_URL = DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")


def _foreign_keys(url):
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f'").fetchone()[0]


def test_a_tiny_network_satisfies_every_constraint_and_rule(app):
    keys = _foreign_keys(PSYCOPG_URL)
    summary = generate(PSYCOPG_URL, "small", tenants=4, mentors=30, mentees=20, processes=24, meetings=60,
                       matching_mentors=40, echo=lambda text: None)
    assert summary["rows"]["tenants"] == 4 + 2  # the partners, the coordination team, the matching partner
    with psycopg.connect(PSYCOPG_URL) as connection:
        assert check_consistency(connection) == {}
        states = dict(connection.execute("SELECT state, count(*) FROM mentoring_processes GROUP BY state").fetchall())
        # The impact page's data: answers at the start and at closing, and scored goals, of closed processes.
        outcomes = connection.execute(
            "SELECT count(*) FILTER (WHERE o.stage = 'intake'), count(*) FILTER (WHERE o.stage = 'closing' AND "
            "p.state = 'closed'), (SELECT count(*) FROM goal_attainments WHERE score IS NOT NULL) "
            "FROM outcome_assessments o JOIN mentoring_processes p ON p.tenant_id = o.tenant_id AND p.id = o.process_id"
        ).fetchone()
    assert {"active", "closed"} <= set(states)
    assert all(outcomes), outcomes
    assert _foreign_keys(PSYCOPG_URL) == keys
