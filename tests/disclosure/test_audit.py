"""`flask disclosure audit` on the demo network and on random networks of many small partners."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network.disclosure.audit import audit
from tests.conftest import _empty_all_tables
from tests.dashboards.history import History, make_network

DISTRICTS = ("porto", "faro", "lisboa", "evora")
KINDS = ("municipality", "ngo", "immigrant_association")


def test_the_audit_passes_on_the_demo_network(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    result = runner.invoke(args=["disclosure", "audit"])
    assert result.exit_code == 0, result.output
    assert "0 recoverable" in result.output
    # It did check something: the demo's three partners with people hold many small cells.
    with app.app_context():
        checked = audit()
    assert checked.passed and checked.small_cells > 100 and checked.equations > checked.small_cells


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
        result = audit()
    assert result.passed, result.failures[:5]
    assert result.cells > 0
