"""`flask disclosure audit`: can a coordinator pin a count of 1 to k - 1 people?

What the audit reads is what the dashboards, their exports and the API publish for every
filter combination the national dashboard offers (every district or none, every partner kind
or none, every period of `release_periods`): the roll-ups' `published` counts added up as
`network.dashboards.services` adds them. It knows the exact counts too, and plays the
strongest attacker of the policy (docs/disclosure.md): one who knows the method, the rounding
base, and which roll-up rows exist (so that each row holds at least one person).

For every protected cell (a count of mentees by country, age band, gender, residence status,
support area, or of closed processes by outcome, in any view) whose exact value is 1 to k - 1,
it writes a linear programme over the rows ("units") the cell adds up:

- variables: each unit's exact count x_u and its published count r_u;
- rounding intervals: r_u - (b - 1) <= x_u <= r_u + (b - 1), x_u >= 1, r_u >= 0;
- every published figure that contains units of the cell, as a constraint on their r_u:
  an equality when all its units are in the cell (the cell itself; the same value in a finer
  place or a shorter period; another dimension's cell made of these units only), otherwise
  an upper bound (the figure minus units outside the cell, which are at least 0): the other
  dimensions' cells, the month-by-month totals and the partners table;

and solves it with HiGHS (scipy's `linprog`) for the largest and the smallest x = sum x_u. The
programmes of many cells are independent: they are stacked into one block-diagonal programme
per batch (maximising a sum of independent blocks maximises each). A cell fails when the
interval pins one value, or when its upper bound is below k.
"""
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from network.dashboards.models import RollupCount
from network.dashboards.rollups import PROFILE, PROFILE_DIMENSIONS, PROFILE_SEPARATOR, SNAPSHOT_METRICS
from network.dashboards.services import (
    MENTEE_COLUMNS,
    OUTCOME_ORDER,
    PARTNER_KINDS,
    month_range,
    release_periods,
)
from network.disclosure import rounding_base, threshold
from network.extensions import db
from tenants.tenancy import national_rollup_bypass
from tenants.tenancy.models import DISTRICTS

ANY = None
BATCH = 4000  # cells per stacked programme


@dataclass
class Failure:
    view: tuple  # (district, kind, start, end)
    cell: tuple  # (metric, dimension, value)
    exact: int
    interval: tuple


@dataclass
class AuditResult:
    threshold: int
    base: int
    views: int = 0
    cells: int = 0  # protected cells published, over every view
    small_cells: int = 0  # of which 1 to k - 1: solved
    equations: int = 0  # constraints written into the programmes
    programmes: int = 0  # linprog calls
    seconds: float = 0.0
    failures: list = field(default_factory=list)

    @property
    def passed(self):
        return not self.failures


@dataclass(frozen=True)
class Unit:
    tenant: int
    district: str
    kind: str
    month: str
    metric: str
    count: int
    published: int
    values: tuple  # ((dimension, value), ...) of the protected tables it counts in


def _family_values(metric, dimension, value):
    """The protected (dimension, value) pairs one roll-up row counts in, or None."""
    if metric in MENTEE_COLUMNS and dimension == PROFILE:
        pairs = tuple(zip(PROFILE_DIMENSIONS, value.split(PROFILE_SEPARATOR)))
        # Goals met are also the "goals met" row of the outcomes table (the same figure).
        return pairs + ((("outcome", "goals_met"),) if metric == "goals_met" else ())
    if metric in MENTEE_COLUMNS and dimension == "support_area":
        return (("support_area", value),)
    if metric == "closed" and dimension == "outcome" and value in OUTCOME_ORDER[1:]:
        return (("outcome", value),)
    return None


def load_units():
    r = RollupCount
    with national_rollup_bypass("disclosure audit: published and exact roll-ups"):
        rows = db.session.execute(sa.select(r.tenant_id, r.district, r.tenant_kind, r.month, r.metric, r.dimension,
                                            r.value, r.count, r.published)).all()
    units, totals = [], []
    for tenant, district, kind, month, metric, dimension, value, count, published in rows:
        pairs = _family_values(metric, dimension, value)
        if pairs:
            # "closed" by outcome counts in the outcomes table under its own metric name.
            units.append(Unit(tenant, district, kind, month, metric, count, published, pairs))
        # The totals as the dashboards compose them (services.metric_totals).
        if (metric in MENTEE_COLUMNS and dimension == PROFILE) or (
                metric == "closed" and dimension == "outcome" and value in OUTCOME_ORDER[1:]):
            totals.append((tenant, district, kind, month, metric, published))
    return units, totals


def _in_period(unit, months):
    return unit.metric in SNAPSHOT_METRICS or unit.month in months


def _cell_metric(unit, dimension):
    # The outcomes table is of "closed": goals met count there as closed processes.
    return "closed" if dimension == "outcome" else unit.metric


def audit(k=None, today=None, echo=None):
    """Every view of the release grid; returns an `AuditResult`."""
    started = time.monotonic()
    k = k or threshold()
    base = rounding_base(k)
    result = AuditResult(threshold=k, base=base)
    units, totals = load_units()
    first = min((unit.month for unit in units), default="2000-01")
    periods = [(start, end, frozenset(month_range(start, end))) for start, end in release_periods(first, today)]
    places = [(district, kind) for district in (ANY, *DISTRICTS) for kind in (ANY, *PARTNER_KINDS)]
    result.views = len(places) * len(periods)

    # Exact and published sums of each protected cell at the finest place and month.
    exact, index = defaultdict(int), defaultdict(list)
    for number, unit in enumerate(units):
        for dimension, value in unit.values:
            key = (_cell_metric(unit, dimension), dimension, value, unit.district, unit.kind)
            index[key].append(number)
            exact[key + (unit.month,)] += unit.count
    # Totals a coordinator reads by partner and by month (published), for the upper bounds.
    partner_month, place_month = defaultdict(int), defaultdict(int)
    for tenant, district, kind, month, metric, published in totals:
        shown = "closed" if metric == "goals_met" else metric
        for metric_shown in {metric, shown} if metric == "goals_met" else {metric}:
            partner_month[(tenant, metric_shown, month)] += published
            for place in ((district, kind), (district, ANY), (ANY, kind), (ANY, ANY)):
                place_month[(place, metric_shown, month)] += published

    def cell_units(metric, dimension, value, district, kind, months):
        found = []
        for (m, d, v, unit_district, unit_kind), numbers in _family_index(index, metric, dimension, value):
            if district not in (ANY, unit_district) or kind not in (ANY, unit_kind):
                continue
            found += [n for n in numbers if _in_period(units[n], months)]
        return found

    families = defaultdict(list)
    for key in index:
        families[key[:3]].append(key)

    def _family_index(index, metric, dimension, value):
        return ((key, index[key]) for key in families[(metric, dimension, value)])

    small = []
    for (metric, dimension, value), keys in families.items():
        for district, kind in places:
            scoped = [key for key in keys if district in (ANY, key[3]) and kind in (ANY, key[4])]
            if not scoped:
                continue
            for start, end, months in periods:
                numbers = [n for key in scoped for n in index[key] if _in_period(units[n], months)]
                if not numbers:
                    continue
                result.cells += 1
                value_exact = sum(units[n].count for n in numbers)
                if 0 < value_exact < k:
                    small.append(((district, kind, start, end), (metric, dimension, value), months, numbers,
                                  value_exact))
    result.small_cells = len(small)
    if echo:
        echo(f"{result.views} views, {result.cells} protected cells, {len(small)} of 1 to {k - 1}: solving")

    blocks = [_block(cell, units, periods, places, partner_month, place_month, cell_units, base) for cell in small]
    for start in range(0, len(blocks), BATCH):
        batch = blocks[start:start + BATCH]
        highs, lows, equations = _solve(batch)
        result.programmes += 2
        result.equations += equations
        for (view, cell, _, _, value_exact), high, low in zip(small[start:start + BATCH], highs, lows):
            pinned = np.floor(high + 1e-6) <= np.ceil(low - 1e-6)
            if high < k - 1e-6 or pinned:
                result.failures.append(Failure(view, cell, value_exact, (round(low, 3), round(high, 3))))
    result.seconds = time.monotonic() - started
    return result


def _block(small_cell, units, periods, places, partner_month, place_month, cell_units, base):
    """One cell's programme: (number of units, equalities [(unit positions, value)],
    upper bounds [(unit positions, value)])."""
    (district, kind, start, end), (metric, dimension, value), months, numbers, _ = small_cell
    position = {n: i for i, n in enumerate(numbers)}
    members = set(numbers)
    equalities = {frozenset(range(len(numbers))): sum(units[n].published for n in numbers)}
    bounds = {}

    def add(found, published_sum):
        inside = frozenset(position[n] for n in found if n in members)
        if not inside:
            return
        if len(inside) == len(found):
            equalities[inside] = published_sum
        else:
            bounds[inside] = min(bounds.get(inside, published_sum), published_sum)

    sub_places = [(d, c) for d, c in places if district in (ANY, d) and kind in (ANY, c)
                  and (d, c) != (district, kind)]
    sub_periods = [m for _, _, m in periods if m <= months]
    # The same value in finer places and shorter periods, and the other dimensions' cells of
    # these units, in this view and the finer ones.
    cells = {(metric, dimension, value)} | {(_cell_metric(units[n], pair_dimension), pair_dimension, pair_value)
                                            for n in numbers for pair_dimension, pair_value in units[n].values}
    for place in [(district, kind), *sub_places]:
        for period_months in sub_periods:
            for cell_metric, pair_dimension, pair_value in cells:
                found = cell_units(cell_metric, pair_dimension, pair_value, *place, period_months)
                add(found, sum(units[n].published for n in found))
    # The partners table and the month-by-month totals: upper bounds on the units they hold.
    for period_start, period_end, period_months in periods:
        if not months & period_months:
            continue
        by_partner = defaultdict(list)
        for n in numbers:
            if _in_period(units[n], period_months):
                by_partner[units[n].tenant].append(position[n])
        for tenant, inside in by_partner.items():
            total = sum(partner_month[(tenant, metric, month)] for month in period_months)
            bounds[frozenset(inside)] = min(bounds.get(frozenset(inside), total), total)
    for n in numbers:
        unit = units[n]
        if unit.metric in SNAPSHOT_METRICS:
            continue
        total = place_month[((district, kind), metric, unit.month)]
        inside = frozenset(position[m] for m in numbers if units[m].month == unit.month)
        bounds[inside] = min(bounds.get(inside, total), total)
    for inside in [s for s in bounds if s in equalities]:
        del bounds[inside]
    return len(numbers), list(equalities.items()), list(bounds.items()), base


def _solve(blocks):
    """Stack the blocks' programmes; returns (highest, lowest) sum of x per block, and how many
    constraints were written."""
    rows, cols, data, rhs = [], [], [], []  # inequalities A_ub z <= b_ub
    eq_rows, eq_cols, eq_data, eq_rhs = [], [], [], []
    objective_blocks, offset = [], 0
    for size, equalities, bounds, base in blocks:
        x = [offset + 2 * i for i in range(size)]
        r = [offset + 2 * i + 1 for i in range(size)]
        for members, published in equalities:
            row = len(eq_rhs)
            for i in members:
                eq_rows.append(row), eq_cols.append(r[i]), eq_data.append(1.0)
            eq_rhs.append(published)
        for members, published in bounds:
            row = len(rhs)
            for i in members:
                rows.append(row), cols.append(r[i]), data.append(1.0)
            rhs.append(published)
        for i in range(size):  # |x - r| <= b - 1
            for sign in (1.0, -1.0):
                row = len(rhs)
                rows += [row, row]
                cols += [x[i], r[i]]
                data += [sign, -sign]
                rhs.append(base - 1)
        objective_blocks.append(x)
        offset += 2 * size
    variables = offset
    bounds = []
    for size, *_ in blocks:
        bounds += [(1, None), (0, None)] * size  # each unit holds at least one person
    a_ub = coo_matrix((data, (rows, cols)), shape=(len(rhs), variables)).tocsr()
    a_eq = coo_matrix((eq_data, (eq_rows, eq_cols)), shape=(len(eq_rhs), variables)).tocsr()
    results = []
    for sense in (-1.0, 1.0):
        objective = np.zeros(variables)
        for x in objective_blocks:
            objective[x] = sense
        solved = linprog(objective, A_ub=a_ub, b_ub=rhs, A_eq=a_eq, b_eq=eq_rhs, bounds=bounds, method="highs")
        if solved.status != 0:
            raise RuntimeError(f"The published figures admit no solution: {solved.message}")
        results.append([float(solved.x[x].sum()) for x in objective_blocks])
    return results[0], results[1], len(rhs) + len(eq_rhs)
