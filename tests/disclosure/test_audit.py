"""`flask disclosure audit` on the demo network and on random networks of many small partners."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network.national.disclosure.audit import audit
from tests.conftest import _empty_all_tables
from tests.dashboards.history import History, make_network

DISTRICTS = ("porto", "faro", "lisboa", "evora")
KINDS = ("municipality", "ngo", "immigrant_association")


def test_the_audit_passes_on_the_demo_network(app, demo_network):
    result = app.test_cli_runner().invoke(args=["disclosure", "audit"])
    assert result.exit_code == 0, result.output
    assert "0 recoverable" in result.output
    # It did check something: the demo's three partners with people hold many small cells.
    with app.app_context():
        checked = audit()
    assert checked.passed and checked.small_cells > 100 and checked.proven + checked.solved == checked.small_cells


small_partners = st.lists(st.tuples(st.sampled_from(DISTRICTS), st.sampled_from(KINDS)), min_size=3, max_size=9)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(partners=small_partners, seed=st.integers(0, 10_000), steps=st.integers(10, 45))
def test_the_audit_passes_on_random_networks_of_small_partners(app, partners, seed, steps):
    _empty_all_tables(app)
    with app.app_context():
        network = make_network([(f"p{index}", kind, district) for index, (district, kind) in enumerate(partners)])
        history = History(network, seed)
        for _ in range(steps):
            history.step()
        result, solved = audit(), audit(solve_all=True)
    assert result.passed, result.failures[:5]
    assert result.cells > 0 and result.proven == result.small_cells
    # Every small cell's programme solved agrees: none pinned, none below k.
    assert solved.passed and solved.solved == result.small_cells, solved.failures[:5]


def test_the_keyed_rounding_is_unbiased_the_same_for_the_same_cell_and_needs_its_key(app_context):
    import sqlalchemy as sa

    from network.core.database import owner_engine
    from network.core.extensions import db
    from network.national.disclosure import published_sql

    cells = sa.select(sa.func.generate_series(1, 6000).label("n")).subquery()
    published = published_sql(sa.literal(1), sa.literal("cell ", sa.Text) + sa.cast(cells.c.n, sa.Text), 6)
    values = db.session.scalars(sa.select(published)).all()
    assert set(values) == {0, 6}
    assert 800 < sum(value == 6 for value in values) < 1200  # each 1 goes up with probability 1/6
    assert db.session.scalars(sa.select(published)).all() == values  # the same cell, the same draw
    twos = db.session.scalars(sa.select(published_sql(sa.literal(2), sa.literal("cell ", sa.Text)
                                                      + sa.cast(cells.c.n, sa.Text), 6))).all()
    assert 1800 < sum(value == 6 for value in twos) < 2200
    # The application's role cannot change the key; without one, no published count at all.
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
        db.session.execute(sa.text("DELETE FROM disclosure_key"))
    db.session.rollback()
    with owner_engine().connect() as owner, owner.begin() as transaction:
        owner.execute(sa.text("DELETE FROM disclosure_key"))
        assert owner.scalar(sa.select(published_sql(sa.literal(1), sa.literal("cell", sa.Text), 6))) is None
        transaction.rollback()
