"""`flask disclosure audit`: can a coordinator pin a count of 1 to k - 1 people?

What the audit reads is what the dashboards, their exports and the API publish for every
filter combination the national dashboard offers (every district or none, every partner kind
or none, every period of `release_periods`): the roll-ups' `published` counts added up as
`network.national.dashboards.services` adds them, and the companies' reports
(`network.national.disclosure.companies`). It knows the exact counts too, and plays the
strongest attacker of the policy (docs/disclosure.md): one who knows the method, the rounding
base, and which roll-up rows exist (so that each row holds at least one person).

The attacker's knowledge is a linear programme over every row u: its exact count x_u and its
published count r_u, with |x_u - r_u| <= b - 1, x_u >= 1, r_u >= 0, and one equation per
published figure (a sum of published rows: every cell of every view, every total). For each
protected cell c of 1 to k - 1 people the audit needs the interval of x_c = sum of its x_u over
that programme, and fails the cell when it is one value or its upper end is below k. Two
feasible points settle that without solving:

- the truth (x = count, r = published): checked to satisfy every constraint (the rounding
  intervals, each row at least 1); its x_c is the exact count, below k;
- the high point (r = published, x_u = r_u + b - 1 for every row): every figure is a sum of
  published counts, which it leaves as they are, so it satisfies all of them at once; its x_c
  is sum r_u + N (b - 1) >= k for a cell of N >= 1 rows.

So the interval holds [exact, high point]: not one value, its upper end at least k. A cell the
two points do not settle is solved by linear programming (`network.national.disclosure.lp`,
HiGHS), and so is every cell with `solve_all` (the programmes of the earlier audit, over the
figures that hold the cell's rows). The companies' reports add relations between exact counts,
so their high point is built to respect them and checked against every constraint
(`network.national.disclosure.companies`).
"""
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from network.core.extensions import db
from network.core.tenancy import national_rollup_bypass
from network.national.dashboards.impact_rows import IMPACT_METRICS
from network.national.dashboards.models import ANY as NATIONAL_ANY
from network.national.dashboards.models import NationalRollup, RollupCount
from network.national.dashboards.rollups import (
    NATIONAL_KEY,
    PROFILE,
    PROFILE_DIMENSIONS,
    PROFILE_SEPARATOR,
    SNAPSHOT_METRICS,
)
from network.national.dashboards.services import MENTEE_COLUMNS, OUTCOME_ORDER
from network.national.disclosure import rounding_base, threshold
from network.national.disclosure.companies import audit_companies
from network.national.disclosure.grid import Grid
from network.national.disclosure.lp import CellProgrammes, cell_metric, load_units, relevant_rows

__all__ = ["audit", "load_units", "AuditResult", "Failure"]

COLUMNS = ("exact", "published", "rows", "lowest")  # the matrices of `Grid.matrices`


@dataclass
class Failure:
    view: tuple  # (district, kind, start, end), or ("company", id)
    cell: tuple  # (metric, dimension, value), or a company figure (measure, year, month)
    exact: int
    interval: tuple


@dataclass
class AuditResult:
    threshold: int
    base: int
    views: int = 0
    cells: int = 0  # protected cells published, over every view
    small_cells: int = 0  # of which 1 to k - 1
    proven: int = 0  # of those, settled by the two feasible points
    solved: int = 0  # of those, solved by linear programming
    perturbed: int = 0  # protected cells published other than exact
    large_cells: int = 0  # of at least 100 people
    large_deviation: float = 0.0  # their mean |published - exact| / exact
    company_cells: int = 0  # protected figures of the companies' reports
    company_small: int = 0  # of which 1 to k - 1 (counted in small_cells, proven and solved too)
    equations: int = 0  # constraints written into the programmes, or checked at a point
    programmes: int = 0  # linprog calls
    seconds: float = 0.0
    failures: list = field(default_factory=list)

    @property
    def passed(self):
        return not self.failures


def audit(k=None, today=None, echo=None, solve_all=False):
    """Every view of the release grid and every company's report; returns an `AuditResult`."""
    started = time.monotonic()
    k = k or threshold()
    base = rounding_base(k)
    result = AuditResult(threshold=k, base=base)
    groups = load_cell_groups(base)
    grid = Grid([group[3] for group in groups], today)
    result.views = len(grid.places) * len(grid.periods)
    cells = grid.matrices(groups, len(COLUMNS))
    unsettled = _judge(result, cells, k, base, solve_all)
    if echo:
        echo(f"{result.views} views, {result.cells} protected cells, {result.small_cells} of 1 to {k - 1}: "
             f"{result.proven} settled by two feasible points, {len(unsettled)} to solve "
             f"({time.monotonic() - started:.1f} s, {time.process_time():.1f} s CPU so far)")
    if unsettled:
        programmes = CellProgrammes(grid, cells, base)
        intervals, equations, calls = programmes.intervals(unsettled)
        result.solved, result.equations, result.programmes = len(unsettled), equations, calls
        for (family, place, period), (low, high) in zip(unsettled, intervals):
            start, end, _ = grid.periods[period]
            _judge_interval(result, (*grid.places[place], start, end), family, int(cells[family][0][place, period]),
                            low, high, k)
    if echo:
        echo(f"dashboard cells done ({time.monotonic() - started:.1f} s); the companies' reports")
    _audit_companies(result, k, base, solve_all)
    result.seconds = time.monotonic() - started
    return result


def _judge_interval(result, view, cell, exact, low, high, k):
    pinned = np.floor(high + 1e-6) <= np.ceil(low - 1e-6)
    if high < k - 1e-6 or pinned:
        result.failures.append(Failure(view, cell, exact, (round(low, 3), round(high, 3))))


def _audit_companies(result, k, base, solve_all):
    small, counts = audit_companies(k, base, solve_all)
    result.company_cells, result.company_small = counts["cells"], len(small)
    result.cells += counts["cells"]
    result.small_cells += len(small)
    result.equations += counts["equations"]
    result.programmes += counts["programmes"]
    for company, key, exact, interval in small:
        if interval is None:
            result.proven += 1
        else:
            result.solved += 1
            _judge_interval(result, ("company", company), key, exact, *interval, k)


def _judge(result, cells, k, base, solve_all):
    """Counts the cells into `result`; returns the small cells the two points do not settle
    (every small cell with `solve_all`), as (family, place, period)."""
    unsettled, deviations = [], []
    for family, (exact, published, rows, lowest) in cells.items():
        shown = rows > 0
        result.cells += int(shown.sum())
        result.perturbed += int((shown & (exact != published)).sum())
        large = exact >= 100
        deviations += list(np.abs(published - exact)[large] / exact[large])
        small = shown & (exact > 0) & (exact < k)
        result.small_cells += int(small.sum())
        # The high point's x_c, and the lowest point's: the truth with each row at least 1.
        high = published + (base - 1) * rows
        settled = small & (high >= k) & (lowest < high) & (not solve_all)
        result.proven += int(settled.sum())
        unsettled += [(family, place, period) for place, period in zip(*np.nonzero(small & ~settled))]
    result.large_cells = len(deviations)
    result.large_deviation = float(np.mean(deviations)) if deviations else 0.0
    return unsettled


def load_cell_groups(base):
    """The protected tables' rows summed by family (metric, dimension, value), district, kind and
    month (None for a snapshot): (family, district, kind, month, exact, published, rows, lowest),
    lowest being the sum of max(count, 1). Refuses rows whose published count is not a rounding
    of their count (the high point would not be a point of the attacker's programme), and checks
    the national sums (`check_national_sums`)."""
    profile = ", ".join(f"({n}, '{name}', split_part(rollup_counts.value, '{PROFILE_SEPARATOR}', {n}))"
                        for n, name in enumerate(PROFILE_DIMENSIONS, start=1))
    where = relevant_rows(RollupCount).compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    statement = sa.text(f"""
        SELECT rollup_counts.metric, shown.dimension, shown.value, rollup_counts.district, rollup_counts.tenant_kind,
               rollup_counts.month, sum(rollup_counts.count), sum(rollup_counts.published), count(*),
               sum(greatest(rollup_counts.count, 1)), count(*) FILTER (WHERE mod(rollup_counts.published, :base) <> 0
                 OR abs(rollup_counts.count - rollup_counts.published) > :base - 1 OR rollup_counts.published < 0)
        FROM rollup_counts CROSS JOIN LATERAL (VALUES (0, rollup_counts.dimension::text, rollup_counts.value::text),
                                                      {profile}) AS shown (number, dimension, value)
        WHERE ({where}) AND (shown.number > 0) = (rollup_counts.dimension = '{PROFILE}')
        GROUP BY rollup_counts.metric, shown.dimension, shown.value, rollup_counts.district, rollup_counts.tenant_kind,
                 rollup_counts.month""")
    with national_rollup_bypass("disclosure audit: published and exact roll-ups"):
        db.session.execute(sa.text("SET LOCAL work_mem = '64MB'"))  # one hash aggregate, not 20 batches on disk
        rows = db.session.execute(statement, {"base": base}).all()
        if any(row[-1] for row in rows):
            _refuse_broken_rows(base)
        national = db.session.execute(sa.select(*(getattr(NationalRollup, name) for name in NATIONAL_KEY),
                                                NationalRollup.published).where(relevant_national_rows())).all()
    check_national_sums(rows, national)
    groups = []
    for metric, dimension, value, district, kind, month, *sums, _ in rows:
        month = None if metric in SNAPSHOT_METRICS else month
        groups.append(((cell_metric(metric, dimension), dimension, value), district, kind, month, *sums))
        if metric == "goals_met" and dimension == PROFILE_DIMENSIONS[0]:
            # Goals met are also the "goals met" row of the outcomes table: each profile row once.
            groups.append((("closed", "outcome", "goals_met"), district, kind, month, *sums))
    return groups


def _refuse_broken_rows(base):
    r = RollupCount
    broken = db.session.execute(sa.select(r.tenant_id, r.metric, r.dimension, r.month, r.value, r.count, r.published)
                                .where(relevant_rows(r), sa.or_(sa.func.mod(r.published, base) != 0,
                                                                sa.func.abs(r.count - r.published) > base - 1,
                                                                r.published < 0)).limit(5)).all()
    raise RuntimeError(f"published counts that are not the rounding of their count: {broken}")


def relevant_national_rows():
    n = NationalRollup
    return sa.or_(sa.and_(n.metric.in_(MENTEE_COLUMNS), n.dimension.in_((*PROFILE_DIMENSIONS, "support_area"))),
                  sa.and_(n.metric == "closed", n.dimension == "outcome", n.value.in_(OUTCOME_ORDER[1:])),
                  n.metric.in_(IMPACT_METRICS))


def check_national_sums(rows, national):
    """What the national dashboard reads (`rollup_national`, at its four levels) is, for every
    protected table, the sum of the partners' published rows the audit reads (`rows`, as
    `load_cell_groups` sums them): the premise of the high point, "every figure is a sum of
    published counts", checked on the stored figures."""
    sums = defaultdict(int)
    for metric, dimension, value, district, kind, month, _, published, *_ in rows:
        for place in ((district, kind), (district, NATIONAL_ANY), (NATIONAL_ANY, kind), (NATIONAL_ANY, NATIONAL_ANY)):
            sums[(*place, metric, dimension, month, value)] += published
    broken = []
    for *key, stored in national:
        computed = sums.pop(tuple(key), 0)
        if computed != stored:
            broken.append((key, computed, stored))
    broken += [(key, value, None) for key, value in sums.items() if value]  # no national row
    if broken:
        raise RuntimeError(f"audit model: the national sums differ from the partners' published rows: {broken[:5]}")
