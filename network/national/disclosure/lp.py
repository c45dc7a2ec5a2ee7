"""The linear programmes of the audit (`network.national.disclosure.audit`): one per protected
dashboard cell that the audit's feasible points do not settle, or every one with `--solve-all`.

For a cell of 1 to k - 1 people it writes a linear programme over the rows ("units") the cell
adds up:

- variables: each unit's exact count x_u and its published count r_u;
- rounding intervals: r_u - (b - 1) <= x_u <= r_u + (b - 1), x_u >= 1, r_u >= 0;
- every published figure that contains units of the cell, as a constraint on their r_u:
  an equality when all its units are in the cell (the cell itself; the same value in a finer
  place or a shorter period; another dimension's cell made of these units only), otherwise
  an upper bound (the figure minus units outside the cell, which are at least 0): the other
  dimensions' cells, the month-by-month totals and the partners table;

and solves it with HiGHS (scipy's `linprog`) for the largest and the smallest x = sum x_u. The
programmes of many cells are independent: they are stacked into one block-diagonal programme
per batch (maximising a sum of independent blocks maximises each).
"""
from collections import defaultdict
from typing import NamedTuple

import numpy as np
import sqlalchemy as sa
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from network.core.extensions import db
from network.core.tenancy import national_rollup_bypass
from network.national.dashboards.impact_rows import IMPACT_METRICS
from network.national.dashboards.models import RollupCount
from network.national.dashboards.rollups import PROFILE, PROFILE_DIMENSIONS, PROFILE_SEPARATOR, SNAPSHOT_METRICS
from network.national.dashboards.services import MENTEE_COLUMNS, OUTCOME_ORDER
from network.national.disclosure.grid import ANY, in_period

BATCH = 4000  # cells per stacked programme


class Unit(NamedTuple):
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


def relevant_rows(r):
    """The roll-up rows that count in a protected table (`_family_values` is not None)."""
    return sa.or_(sa.and_(r.metric.in_(MENTEE_COLUMNS), r.dimension.in_((PROFILE, "support_area"))),
                  sa.and_(r.metric == "closed", r.dimension == "outcome", r.value.in_(OUTCOME_ORDER[1:])),
                  r.metric.in_(IMPACT_METRICS))


def load_units():
    """The roll-up rows of the protected tables as `Unit`s, and the totals the dashboards
    compose of them (services.metric_totals) as (tenant, district, kind, month, metric, published)."""
    r = RollupCount
    with national_rollup_bypass("disclosure audit: published and exact roll-ups"):
        rows = db.session.execute(sa.select(r.tenant_id, r.district, r.tenant_kind, r.month, r.metric, r.dimension,
                                            r.value, r.count, r.published).where(relevant_rows(r))).all()
    units, totals = [], []
    for tenant, district, kind, month, metric, dimension, value, count, published in rows:
        pairs = _family_values(metric, dimension, value)
        if pairs:
            # "closed" by outcome counts in the outcomes table under its own metric name.
            units.append(Unit(tenant, district, kind, month, metric, count, published, pairs))
        if (metric in MENTEE_COLUMNS and dimension == PROFILE) or (
                metric == "closed" and dimension == "outcome" and value in OUTCOME_ORDER[1:]):
            totals.append((tenant, district, kind, month, metric, published))
    return units, totals


def cell_metric(metric, dimension):
    # The outcomes table is of "closed": goals met count there as closed processes.
    return "closed" if dimension == "outcome" else metric


def families_of(unit):
    return {(cell_metric(unit.metric, dimension), dimension, value) for dimension, value in unit.values}


class CellProgrammes:
    """Everything the dashboard cells' programmes are written from: the units, the grid, the
    published cells of every view and the totals."""

    def __init__(self, grid, cells, base):
        self.units, totals = load_units()
        self.grid, self.cells, self.base = grid, cells, base
        self.by_place = defaultdict(list)
        for number, unit in enumerate(self.units):
            for family in families_of(unit):
                self.by_place[(family, unit.district, unit.kind)].append(number)
        self.places_of = defaultdict(set)
        for family, unit_district, unit_kind in self.by_place:
            self.places_of[family].add((unit_district, unit_kind))
        self.partner_month, self.place_month = _published_totals(totals)
        self.period_totals = {}

    def numbers(self, family, place, period):
        """The units of `family`'s cell in the view (place, period)."""
        district, kind = self.grid.places[place]
        months = self.grid.periods[period][2]
        return [n for unit_district, unit_kind in self.places_of[family]
                if district in (ANY, unit_district) and kind in (ANY, unit_kind)
                for n in self.by_place[(family, unit_district, unit_kind)] if in_period(self.units[n], months)]

    def partner_total(self, tenant, metric, period_number):
        """The partners table's published figure of `tenant`, `metric` in a period (remembered)."""
        key = (tenant, metric, period_number)
        if key not in self.period_totals:
            self.period_totals[key] = (
                self.partner_month[(tenant, metric, None)] if metric in SNAPSHOT_METRICS
                else sum(self.partner_month[(tenant, metric, month)] for month in self.grid.periods[period_number][2]))
        return self.period_totals[key]

    def intervals(self, small):
        """[(low, high)] of each (family, place, period) of `small`, and the constraints written."""
        blocks = [self.block(family, place, period) for family, place, period in small]
        intervals, equations = [], 0
        for start in range(0, len(blocks), BATCH):
            highs, lows, written = solve_blocks(blocks[start:start + BATCH])
            intervals += list(zip(lows, highs))
            equations += written
        return intervals, equations, (len(blocks) + BATCH - 1) // BATCH * 2

    def block(self, family, place, period):
        """One cell's programme: (units, equalities [(unit positions, value)], upper bounds
        [(unit positions, value)], base)."""
        numbers = self.numbers(family, place, period)
        equalities = {frozenset(range(len(numbers))): sum(self.units[n].published for n in numbers)}
        bounds = {}
        self._grid_constraints(family, place, period, numbers, equalities, bounds)
        # The partners table and the month-by-month totals: upper bounds on the units they hold
        # (support areas are no part of them: a mentee may need several).
        # Nor the impact cells (network.national.dashboards.impact): each row is its own cell's unit.
        if family[1] != "support_area" and family[0] not in IMPACT_METRICS:
            self._total_bounds(family, place, numbers, bounds)
        return self._checked(family, numbers, equalities, bounds)

    def _grid_constraints(self, family, place, period, numbers, equalities, bounds):
        """The same value in finer places and shorter periods, and the other dimensions' cells of
        these units there: an equality when the cell holds these units only, else a bound."""
        district, kind = self.grid.places[place]
        months = self.grid.periods[period][2]
        units = self.units
        unit_families = {n: families_of(units[n]) for n in numbers}
        related = {family} | {(cell_metric(units[n].metric, dimension), dimension, value)
                              for n in numbers for dimension, value in units[n].values}
        # Only the places and periods holding one of these units can hold a part of the cell.
        for place_number in {place for n in numbers for place in self.grid.unit_places(units[n])}:
            finer = self.grid.places[place_number]
            if district not in (ANY, finer[0]) or kind not in (ANY, finer[1]):
                continue
            for period_number, (_, _, shorter) in enumerate(self.grid.periods):
                if not shorter <= months or not any(in_period(units[n], shorter) for n in numbers):
                    continue
                for related_family in related:
                    inside = frozenset(i for i, n in enumerate(numbers)
                                       if related_family in unit_families[n] and _holds(finer, shorter, units[n]))
                    if inside:
                        _constrain(self.cells[related_family], (place_number, period_number), inside,
                                   sum(units[numbers[i]].count for i in inside), equalities, bounds)

    def _total_bounds(self, family, place, numbers, bounds):
        metric, units = family[0], self.units
        for period_number, (_, _, period) in enumerate(self.grid.periods):
            by_partner = defaultdict(set)
            for i, n in enumerate(numbers):
                if in_period(units[n], period):
                    by_partner[units[n].tenant].add(i)
            for tenant, inside in by_partner.items():
                total = self.partner_total(tenant, metric, period_number)
                bounds[frozenset(inside)] = min(bounds.get(frozenset(inside), np.inf), total)
        for n in numbers:
            if units[n].metric not in SNAPSHOT_METRICS:
                inside = frozenset(j for j, m in enumerate(numbers) if units[m].month == units[n].month)
                total = self.place_month[(self.grid.places[place], metric, units[n].month)]
                bounds[inside] = min(bounds.get(inside, np.inf), total)

    def _checked(self, family, numbers, equalities, bounds):
        """The block, once the published counts are checked to satisfy it (the truth must be a
        solution: a constraint it breaks is a fault of the audit's model, not a finding)."""
        units, base = self.units, self.base
        for members, value in equalities.items():
            if sum(units[numbers[i]].published for i in members) != value:
                raise RuntimeError(f"audit model: equality broken by the published counts, {family} {value}")
        for members, value in bounds.items():
            if sum(units[numbers[i]].published for i in members) > value:
                raise RuntimeError(f"audit model: bound broken by the published counts, {family} {value} "
                                   f"{[units[numbers[i]] for i in members]}")
        for n in numbers:
            if abs(units[n].count - units[n].published) > base - 1 or units[n].published % base:
                raise RuntimeError(f"a published count is not the rounding of its count: {units[n]}")
        return len(numbers), list(equalities.items()), [(s, b) for s, b in bounds.items() if s not in equalities], base


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


def _holds(place, period, unit):
    return place[0] in (ANY, unit.district) and place[1] in (ANY, unit.kind) and in_period(unit, period)


def _constrain(cell, position, inside, count_inside, equalities, bounds):
    exact, published = cell[0], cell[1]
    if exact[position] == count_inside:
        equalities[inside] = int(published[position])
    else:
        bounds[inside] = min(bounds.get(inside, np.inf), published[position])


class Constraints:
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


def extremes(objectives, inequalities, equations, bounds):
    """For each objective (a list of variables), (highest, lowest) of their sum; one programme
    per sense when the objectives are independent blocks, so the caller stacks them."""
    variables = len(bounds)
    a_ub, a_eq = inequalities.matrix(variables), equations.matrix(variables)
    results = []
    for sense in (-1.0, 1.0):
        objective = np.zeros(variables)
        for x in objectives:
            objective[x] = sense
        solved = linprog(objective, A_ub=a_ub if inequalities.rhs else None, b_ub=inequalities.rhs or None,
                         A_eq=a_eq if equations.rhs else None, b_eq=equations.rhs or None, bounds=bounds,
                         method="highs")
        if solved.status != 0:
            raise RuntimeError(f"The published figures admit no solution: {solved.message}")
        results.append([float(solved.x[x].sum()) for x in objectives])
    return results[0], results[1]


def solve_blocks(blocks):
    """Stack the blocks' programmes; returns (highest, lowest) sum of x per block, and how many
    constraints were written."""
    inequalities, equations = Constraints(), Constraints()  # A_ub z <= b_ub, A_eq z = b_eq
    objective_blocks, bounds, offset = [], [], 0
    for size, equalities, upper, base in blocks:
        x = [offset + 2 * i for i in range(size)]
        r = [offset + 2 * i + 1 for i in range(size)]
        for members, published in equalities:
            equations.add([r[i] for i in members], published)
        for members, published in upper:
            inequalities.add([r[i] for i in members], published)
        for i in range(size):  # |x - r| <= b - 1
            for sign in (1.0, -1.0):
                inequalities.add([x[i], r[i]], base - 1, signs=(sign, -sign))
        objective_blocks.append(x)
        bounds += [(1, None), (0, None)] * size  # each unit holds at least one person
        offset += 2 * size
    highs, lows = extremes(objective_blocks, inequalities, equations, bounds)
    return highs, lows, len(inequalities.rhs) + len(equations.rhs)
