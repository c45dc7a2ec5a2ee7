"""`flask disclosure audit`: can a coordinator pin a count of 1 to k - 1 people?

What the audit reads is what the dashboards, their exports and the API publish for every
filter combination the national dashboard offers (every district or none, every partner kind
or none, every period of `release_periods`): the roll-ups' `published` counts added up as
`network.national.dashboards.services` adds them. It knows the exact counts too, and plays the
strongest attacker of the policy (docs/disclosure.md): one who knows the method, the rounding
base, and which roll-up rows exist (so that each row holds at least one person).

For every protected cell (a count of mentees by country, age band, gender, residence status,
support area, or of closed processes by outcome, or an impact cell: closed processes by change of
an indicator, GAS T-score band or mentor's answer, in any view) whose exact value is 1 to k - 1,
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

from network.core.extensions import db
from network.core.tenancy import national_rollup_bypass
from network.core.tenancy.models import DISTRICTS
from network.national.dashboards.impact_rows import IMPACT_METRICS
from network.national.dashboards.models import RollupCount
from network.national.dashboards.rollups import PROFILE, PROFILE_DIMENSIONS, PROFILE_SEPARATOR, SNAPSHOT_METRICS
from network.national.dashboards.services import (
    MENTEE_COLUMNS,
    OUTCOME_ORDER,
    PARTNER_KINDS,
    month_range,
    release_periods,
)
from network.national.disclosure import rounding_base, threshold

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
    perturbed: int = 0  # protected cells published other than exact
    large_cells: int = 0  # of at least 100 people
    large_deviation: float = 0.0  # their mean |published - exact| / exact
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
    if metric in IMPACT_METRICS:
        # The impact page's cells (network.national.dashboards.impact): each row is its own cell's unit.
        return ((dimension, value),)
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


class _Grid:
    """The views: places (district or ANY, kind or ANY) and periods, with each unit's place
    and months as indices, so that a family's cells in every view are two matrix products."""

    def __init__(self, units, today):
        first = min((unit.month for unit in units), default="2000-01")
        self.periods = [(start, end, frozenset(month_range(start, end)))
                        for start, end in release_periods(first, today)]
        self.places = [(district, kind) for district in (ANY, *DISTRICTS) for kind in (ANY, *PARTNER_KINDS)]
        self.place_index = {place: i for i, place in enumerate(self.places)}
        months = sorted({unit.month for unit in units} | {m for _, _, period in self.periods for m in period})
        self.month_index = {month: i for i, month in enumerate(months)}
        self.in_period = np.zeros((len(months) + 1, len(self.periods)))  # the last row: snapshots
        for j, (_, _, period) in enumerate(self.periods):
            for month in period:
                self.in_period[self.month_index[month], j] = 1
        self.in_period[-1, :] = 1
        self._places = {}

    def unit_month(self, unit):
        return len(self.month_index) if unit.metric in SNAPSHOT_METRICS else self.month_index[unit.month]

    def unit_places(self, unit):
        places = self._places.get((unit.district, unit.kind))
        if places is None:
            places = self._places[(unit.district, unit.kind)] = [
                self.place_index[place] for place in ((unit.district, unit.kind), (unit.district, ANY),
                                                      (ANY, unit.kind), (ANY, ANY)) if place in self.place_index]
        return places

    def matrices(self, families, units):
        """{family: (exact, published, rows)} of every family's cells: places x periods."""
        names = list(families)
        rows, values = [], []
        for f, family in enumerate(names):
            for n in families[family]:
                unit = units[n]
                month = self.unit_month(unit)
                for place in self.unit_places(unit):
                    rows.append((f * len(self.places) + place) * (len(self.month_index) + 1) + month)
                    values.append((unit.count, unit.published, 1))
        months = np.zeros((len(names) * len(self.places) * (len(self.month_index) + 1), 3))
        np.add.at(months, np.array(rows, dtype=np.int64), np.array(values, dtype=float).reshape(-1, 3))
        months = months.reshape(len(names) * len(self.places), len(self.month_index) + 1, 3)
        sums = [(months[:, :, column] @ self.in_period).reshape(len(names), len(self.places), -1)
                for column in range(3)]
        return {family: [sums[column][f] for column in range(3)] for f, family in enumerate(names)}


def audit(k=None, today=None, echo=None):
    """Every view of the release grid; returns an `AuditResult`."""
    started = time.monotonic()
    k = k or threshold()
    base = rounding_base(k)
    result = AuditResult(threshold=k, base=base)
    units, totals = load_units()
    grid = _Grid(units, today)
    result.views = len(grid.places) * len(grid.periods)
    families, by_place, places_of = _families(units)
    cells = grid.matrices(families, units)
    partner_month, place_month = _published_totals(totals)
    small = _small_cells(result, cells, grid, units, k, places_of, by_place)
    if echo:
        echo(f"{result.views} views, {result.cells} protected cells, {len(small)} of 1 to {k - 1}: solving")
    context = (units, grid, cells, _partner_totals(partner_month, grid), place_month, base)
    blocks = [_block(cell, *context) for cell in small]
    _solve_in_batches(result, small, blocks, k)
    result.seconds = time.monotonic() - started
    return result


def _families(units):
    """The units of each family, of each family in each place, and the places of each family."""
    families, by_place = defaultdict(list), defaultdict(list)
    for number, unit in enumerate(units):
        for family in families_of(unit):
            families[family].append(number)
            by_place[(family, unit.district, unit.kind)].append(number)
    places_of = defaultdict(set)
    for family, unit_district, unit_kind in by_place:
        places_of[family].add((unit_district, unit_kind))
    return families, by_place, places_of


def _published_totals(totals):
    """Totals a coordinator reads by partner and by month (published), for the upper bounds."""
    partner_month, place_month = defaultdict(int), defaultdict(int)
    for tenant, district, kind, month, metric, published in totals:
        for shown in ({"goals_met", "closed"} if metric == "goals_met" else {metric}):
            # A snapshot (active now) is the same in every period, whatever month it was taken in.
            partner_month[(tenant, shown, None if metric in SNAPSHOT_METRICS else month)] += published
            for place in ((district, kind), (district, ANY), (ANY, kind), (ANY, ANY)):
                place_month[(place, shown, month)] += published
    return partner_month, place_month


def _small_cells(result, cells, grid, units, k, places_of, by_place):
    """The cells of 1 to k - 1 people, (view, family, months, unit numbers, exact count) each;
    counts the cells and the deviation of the large ones into `result`."""
    small, deviations = [], []
    for family, (exact, published, rows) in cells.items():
        result.cells += int((rows > 0).sum())
        result.perturbed += int(((rows > 0) & (exact != published)).sum())
        large = exact >= 100
        deviations += list(np.abs(published - exact)[large] / exact[large])
        for place, period in zip(*np.nonzero((exact > 0) & (exact < k))):
            start, end, months = grid.periods[period]
            district, kind = grid.places[place]
            numbers = [n for unit_district, unit_kind in places_of[family]
                       if district in (ANY, unit_district) and kind in (ANY, unit_kind)
                       for n in by_place[(family, unit_district, unit_kind)] if _in_period(units[n], months)]
            small.append(((district, kind, start, end), family, months, numbers, int(exact[place, period])))
    result.small_cells = len(small)
    result.large_cells = len(deviations)
    result.large_deviation = float(np.mean(deviations)) if deviations else 0.0
    return small


def _partner_totals(partner_month, grid):
    """`partner_total(tenant, metric, period_number)`: the partners table's published figure of
    `tenant`, `metric` in a period (remembered)."""
    period_totals = {}

    def partner_total(tenant, metric, period_number):
        key = (tenant, metric, period_number)
        if key not in period_totals:
            period_totals[key] = (partner_month[(tenant, metric, None)] if metric in SNAPSHOT_METRICS
                                  else sum(partner_month[(tenant, metric, month)]
                                           for month in grid.periods[period_number][2]))
        return period_totals[key]

    return partner_total


def _solve_in_batches(result, small, blocks, k):
    for start in range(0, len(blocks), BATCH):
        batch = blocks[start:start + BATCH]
        highs, lows, equations = _solve(batch)
        result.programmes += 2
        result.equations += equations
        for (view, cell, _, _, value_exact), high, low in zip(small[start:start + BATCH], highs, lows):
            pinned = np.floor(high + 1e-6) <= np.ceil(low - 1e-6)
            if high < k - 1e-6 or pinned:
                result.failures.append(Failure(view, cell, value_exact, (round(low, 3), round(high, 3))))


def _block(small_cell, units, grid, cells, partner_total, place_month, base):
    """One cell's programme: (units, equalities [(unit positions, value)], upper bounds
    [(unit positions, value)], base)."""
    (district, kind, _, _), family, months, numbers, _ = small_cell
    equalities = {frozenset(range(len(numbers))): sum(units[n].published for n in numbers)}
    bounds = {}
    _grid_constraints(small_cell, units, grid, cells, equalities, bounds)
    # The partners table and the month-by-month totals: upper bounds on the units they hold
    # (support areas are no part of them: a mentee may need several).
    # Nor the impact cells (network.national.dashboards.impact): each row is its own cell's unit.
    if family[1] != "support_area" and family[0] not in IMPACT_METRICS:
        _total_bounds(small_cell, units, grid, partner_total, place_month, bounds)
    return _checked(small_cell, units, equalities, bounds, base)


def _grid_constraints(small_cell, units, grid, cells, equalities, bounds):
    """The same value in finer places and shorter periods, and the other dimensions' cells of
    these units there: an equality when the cell holds these units only, else a bound."""
    (district, kind, _, _), family, months, numbers, _ = small_cell
    unit_families = {n: families_of(units[n]) for n in numbers}
    related = {family} | {(_cell_metric(units[n], dimension), dimension, value)
                          for n in numbers for dimension, value in units[n].values}
    # Only the places and periods holding one of these units can hold a part of the cell.
    places = {place for n in numbers for place in grid.unit_places(units[n])}
    for place_number in places:
        place = grid.places[place_number]
        if district not in (ANY, place[0]) or kind not in (ANY, place[1]):
            continue
        for period_number, (_, _, period) in enumerate(grid.periods):
            if not period <= months or not any(_in_period(units[n], period) for n in numbers):
                continue
            for related_family in related:
                inside = frozenset(i for i, n in enumerate(numbers)
                                   if related_family in unit_families[n] and _holds(place, period, units[n]))
                if inside:
                    _constrain(cells[related_family], (place_number, period_number), inside,
                               sum(units[numbers[i]].count for i in inside), equalities, bounds)


def _holds(place, period, unit):
    return place[0] in (ANY, unit.district) and place[1] in (ANY, unit.kind) and _in_period(unit, period)


def _constrain(cell, position, inside, count_inside, equalities, bounds):
    exact, published, _ = cell
    if exact[position] == count_inside:
        equalities[inside] = int(published[position])
    else:
        bounds[inside] = min(bounds.get(inside, np.inf), published[position])


def _total_bounds(small_cell, units, grid, partner_total, place_month, bounds):
    (district, kind, _, _), family, _, numbers, _ = small_cell
    metric = family[0]
    for period_number, (_, _, period) in enumerate(grid.periods):
        by_partner = defaultdict(set)
        for i, n in enumerate(numbers):
            if _in_period(units[n], period):
                by_partner[units[n].tenant].add(i)
        for tenant, inside in by_partner.items():
            total = partner_total(tenant, metric, period_number)
            bounds[frozenset(inside)] = min(bounds.get(frozenset(inside), np.inf), total)
    for n in numbers:
        unit = units[n]
        if unit.metric not in SNAPSHOT_METRICS:
            inside = frozenset(j for j, m in enumerate(numbers) if units[m].month == unit.month)
            total = place_month[((district, kind), metric, unit.month)]
            bounds[inside] = min(bounds.get(inside, np.inf), total)


def _checked(small_cell, units, equalities, bounds, base):
    """The block, once the published counts are checked to satisfy it (the truth must be a
    solution: a constraint it breaks is a fault of the audit's model, not a finding)."""
    view, family, _, numbers, _ = small_cell
    for members, value in equalities.items():
        if sum(units[numbers[i]].published for i in members) != value:
            raise RuntimeError(f"audit model: equality broken by the published counts, {view} {family} {value}")
    for members, value in bounds.items():
        if sum(units[numbers[i]].published for i in members) > value:
            raise RuntimeError(f"audit model: bound broken by the published counts, {view} {family} {value} "
                               f"{[units[numbers[i]] for i in members]}")
    for n in numbers:
        if abs(units[n].count - units[n].published) > base - 1 or units[n].published % base:
            raise RuntimeError(f"a published count is not the rounding of its count: {units[n]}")
    return len(numbers), list(equalities.items()), [(s, b) for s, b in bounds.items() if s not in equalities], base


def families_of(unit):
    return {(_cell_metric(unit, dimension), dimension, value) for dimension, value in unit.values}


class _Constraints:
    """Sparse rows of a linear programme: coefficients (row, column, value) and right-hand sides."""

    def __init__(self):
        self.rows, self.cols, self.data, self.rhs = [], [], [], []

    def add(self, columns, value, signs=None):
        row = len(self.rhs)
        for k, column in enumerate(columns):
            self.rows.append(row), self.cols.append(column), self.data.append(1.0 if signs is None else signs[k])
        self.rhs.append(value)

    def matrix(self, variables):
        return coo_matrix((self.data, (self.rows, self.cols)), shape=(len(self.rhs), variables)).tocsr()


def _solve(blocks):
    """Stack the blocks' programmes; returns (highest, lowest) sum of x per block, and how many
    constraints were written."""
    inequalities, equations = _Constraints(), _Constraints()  # A_ub z <= b_ub, A_eq z = b_eq
    objective_blocks, offset = [], 0
    for size, equalities, bounds, base in blocks:
        x = [offset + 2 * i for i in range(size)]
        r = [offset + 2 * i + 1 for i in range(size)]
        for members, published in equalities:
            equations.add([r[i] for i in members], published)
        for members, published in bounds:
            inequalities.add([r[i] for i in members], published)
        for i in range(size):  # |x - r| <= b - 1
            for sign in (1.0, -1.0):
                inequalities.add([x[i], r[i]], base - 1, signs=(sign, -sign))
        objective_blocks.append(x)
        offset += 2 * size
    variables = offset
    bounds = []
    for size, *_ in blocks:
        bounds += [(1, None), (0, None)] * size  # each unit holds at least one person
    a_ub, a_eq = inequalities.matrix(variables), equations.matrix(variables)
    results = []
    for sense in (-1.0, 1.0):
        objective = np.zeros(variables)
        for x in objective_blocks:
            objective[x] = sense
        solved = linprog(objective, A_ub=a_ub, b_ub=inequalities.rhs, A_eq=a_eq, b_eq=equations.rhs, bounds=bounds,
                         method="highs")
        if solved.status != 0:
            raise RuntimeError(f"The published figures admit no solution: {solved.message}")
        results.append([float(solved.x[x].sum()) for x in objective_blocks])
    return results[0], results[1], len(inequalities.rhs) + len(equations.rhs)
