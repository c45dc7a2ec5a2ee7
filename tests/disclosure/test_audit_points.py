"""The audit's short cut (two feasible points instead of a linear programme) against the
programmes themselves, and the companies' reports inside the audit."""
from datetime import date

import numpy as np

from network.core.reference.services import create_company
from network.core.tenancy import tenant_context
from network.national.disclosure import rounding_base, threshold
from network.national.disclosure.audit import COLUMNS, audit, load_cell_groups
from network.national.disclosure.companies import CompanyProgramme, CompanyUnit, judge
from network.national.disclosure.grid import Grid
from network.national.disclosure.lp import CellProgrammes
from tests.coordination.test_companies import _active_process, _meet
from tests.factories import make_tenant, make_user
from tests.processes.conftest import ready_mentee, ready_mentor


def test_the_two_points_lie_in_every_small_cells_programme_and_both_audits_agree(app, demo_network):
    """The truth and the high point (r = published, x = r + b - 1) are solutions of each small
    cell's linear programme: the programme's interval holds them both."""
    with app.app_context():
        k, base = threshold(), rounding_base()
        groups = load_cell_groups(base)
        grid = Grid([group[3] for group in groups], None)
        cells = grid.matrices(groups, len(COLUMNS))
        small = [(family, place, period) for family, (exact, *_) in cells.items()
                 for place, period in zip(*np.nonzero((exact > 0) & (exact < k)))]
        intervals, _, _ = CellProgrammes(grid, cells, base).intervals(small)
        fast, full = audit(), audit(solve_all=True)
    assert len(small) > 100
    for (family, place, period), (low, high) in zip(small, intervals):
        exact, published, rows, _ = (column[place, period] for column in cells[family])
        assert low <= exact + 1e-6 and high >= published + (base - 1) * rows - 1e-6, (family, low, high)
    assert fast.passed and full.passed and fast.cells == full.cells and fast.small_cells == full.small_cells
    assert fast.proven == fast.small_cells and fast.solved == 0
    assert full.proven == 0 and full.solved == full.small_cells and full.programmes > fast.programmes


def _one_volunteer(minutes_base):
    """A company with one volunteer who met once, for 5 minutes, in March 2026; every count
    published as 0 (count 1, base 6; 5 minutes, base `minutes_base`)."""
    def unit(measure, year, month, count, base=6):
        return CompanyUnit(measure, 1, 7, year, month, count, 0, base)

    return CompanyProgramme([unit("volunteers", None, None, 1), unit("met_year", 2026, None, 1),
                             unit("met_month", 2026, 3, 1), unit("meetings", 2026, 3, 1),
                             unit("minutes", 2026, 3, 5, minutes_base)])


def test_a_company_figure_the_high_point_does_not_settle_is_solved_and_caught():
    """Minutes rounded to multiples of 6 would say "at most 5 minutes, so one meeting, so one
    volunteer": the high point stays below k, the cell goes to the programme, which pins it.
    Rounded to multiples of 30, as the report does, the high point settles every figure."""
    leaky = {key: interval for key, _, interval in judge(_one_volunteer(6), 5)}
    assert leaky[("volunteers", None, None)] is None  # 0 published: up to 5 volunteers, settled
    for key in (("met_year", 2026, None), ("met_month", 2026, 3)):
        low, high = leaky[key]
        assert low == high == 1  # solved: pinned to one volunteer
    safe = judge(_one_volunteer(30), 5)
    assert len(safe) == 3 and all(interval is None for _, _, interval in safe)
    for _, _, (low, high) in judge(_one_volunteer(30), 5, solve_all=True):
        assert low == 1 and high >= 5


def test_the_companies_reports_enter_the_audit(app, app_context):
    acme = create_company("Acme")
    for slug, meetings in (("alpha", [(date(2026, 1, 12), 60), (date(2026, 2, 2), 90)]),
                           ("beta", [(date(2026, 1, 20), 45), (date(2025, 12, 1), 30)])):
        tenant = make_tenant(slug)
        staff = make_user(f"staff@{slug}.pt", roles=[(tenant, "staff")])
        with tenant_context(tenant.id):
            process = _active_process(ready_mentor(company_id=acme.id), ready_mentee(), staff)
            for held_on, minutes in meetings:
                _meet(process, held_on, minutes, staff)
    fast, full = audit(), audit(solve_all=True)
    # Volunteers, met in 2025 and 2026, and in three months: all of 1 or 2 people.
    assert fast.company_cells == full.company_cells == 6 and fast.company_small == 6
    assert fast.passed and full.passed and full.solved >= 6
