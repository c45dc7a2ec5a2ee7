"""The companies' reports in the audit (`network.national.disclosure.audit`).

What a coordinator reads there (`network.national.coordination.companies`): for each company,
its volunteers (also on the companies list), and for each year the volunteers who met, and for
each month the volunteers who met, the meetings and the meeting minutes: each a sum over
partners of one (company, partner, ...) count rounded by the disclosure layer. Those counts are
the units here, with their exact counts and their published ones, and beside the published
figures the audit writes what anyone knows of them, relations between exact counts:

- a volunteer who met in a year is a volunteer (met in the year <= volunteers);
- one who met in a month met in that year (met in the month <= met in the year), had a meeting
  that month (<= meetings), and anyone who met in the year met in one of its months
  (met in the year <= the sum of its months);
- a meeting lasts at least 5 minutes (5 meetings <= minutes).

The protected cells are the volunteers, the volunteers who met in a year and in a month. Each
company's units, figures and relations make one programme: the audit checks two points of it
(the truth, and the highest point below) and solves it with HiGHS for the cells they do not settle.
"""
from collections import defaultdict
from typing import NamedTuple

import numpy as np
import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import national_rollup_bypass
from network.national.coordination.companies import MINUTES_SCALE, company_report, volunteer_counts
from network.national.disclosure import published_sql
from network.national.disclosure.lp import Constraints, extremes
from tenants.participants.models import Mentor
from tenants.processes.models import Meeting, MentoringProcess

MIN_MEETING_MINUTES = 5  # tenants.processes.schemas: a meeting lasts 5 to 600 minutes


class CompanyUnit(NamedTuple):
    measure: str  # volunteers, met_year, met_month, meetings, minutes
    company: int
    tenant: int
    year: int | None
    month: int | None
    count: int
    published: int
    base: int


def _cell_text(prefix, company, *keys):
    text = "company|" + sa.cast(company, sa.Text) + f"|{prefix}"
    for key in keys:
        text = text + "|" + sa.cast(key, sa.Text)
    return text


def _meetings():
    return (sa.select().select_from(Meeting)
            .join(MentoringProcess, sa.and_(MentoringProcess.tenant_id == Meeting.tenant_id,
                                            MentoringProcess.id == Meeting.process_id))
            .join(Mentor, sa.and_(Mentor.tenant_id == MentoringProcess.tenant_id,
                                  Mentor.id == MentoringProcess.mentor_id))
            .where(Mentor.company_id.is_not(None)))


def load_company_units(base):
    """Every (company, partner, ...) count of the companies' reports, exact and published as
    `network.national.coordination.companies` publishes it (the same cells of the keyed rounding)."""
    year = sa.cast(sa.extract("year", Meeting.held_on), sa.Integer)
    month = sa.cast(sa.extract("month", Meeting.held_on), sa.Integer)
    units = []
    with national_rollup_bypass("disclosure audit: companies' reports"):
        volunteers = (sa.select(Mentor.company_id.label("company"), Mentor.tenant_id.label("tenant"),
                                sa.func.count(Mentor.id).label("volunteers"))
                      .where(Mentor.company_id.is_not(None)).group_by(Mentor.company_id, Mentor.tenant_id).subquery())
        units += _read(volunteers, (), {"volunteers": ("volunteers", "volunteers", 1)}, base)
        met = (_meetings().add_columns(Mentor.company_id.label("company"), Mentor.tenant_id.label("tenant"),
                                       year.label("year"), sa.func.count(sa.distinct(Mentor.id)).label("met"))
               .group_by(Mentor.company_id, Mentor.tenant_id, year).subquery())
        units += _read(met, ("year",), {"met": ("met_year", "met", 1)}, base)
        monthly = (_meetings().add_columns(
            Mentor.company_id.label("company"), Mentor.tenant_id.label("tenant"), year.label("year"),
            month.label("month"), sa.func.count(sa.distinct(Mentor.id)).label("met"),
            sa.func.count(Meeting.id).label("meetings"), sa.func.sum(Meeting.duration_minutes).label("minutes"))
            .group_by(Mentor.company_id, Mentor.tenant_id, year, month).subquery())
        units += _read(monthly, ("year", "month"), {"met": ("met_month", "met", 1),
                                                    "meetings": ("meetings", "meetings", 1),
                                                    "minutes": ("minutes", "minutes", MINUTES_SCALE)}, base)
    return units


def _read(grouped, keys, measures, base):
    """The units of `grouped` (company, tenant, keys, measures): {column: (measure, cell prefix, scale)}."""
    columns = []
    for column, (_, prefix, scale) in measures.items():
        cell = _cell_text(prefix, grouped.c.company, *(grouped.c[key] for key in keys), grouped.c.tenant)
        columns += [grouped.c[column], published_sql(grouped.c[column], cell, base * scale)]
    key_columns = [grouped.c[key] for key in keys]
    units = []
    for row in db.session.execute(sa.select(grouped.c.company, grouped.c.tenant, *key_columns, *columns)):
        company, tenant, *rest = row
        year = rest[0] if keys else None
        month = rest[1] if len(keys) > 1 else None
        values = rest[len(keys):]
        for index, (measure, _, scale) in enumerate(measures.values()):
            units.append(CompanyUnit(measure, company, tenant, year, month, int(values[2 * index]),
                                     int(values[2 * index + 1]), base * scale))
    return units


def figure_key(unit):
    """The figure of the report a unit counts in (summed over partners)."""
    return (unit.measure, unit.year, unit.month)


PROTECTED = ("volunteers", "met_year", "met_month")
MONTHLY = ("met_month", "meetings", "minutes")


class CompanyProgramme:
    """One company's units, its published figures (equalities on the published counts), the
    rounding intervals and the relations above: variables x_i (exact) = 2 i, r_i (published) = 2 i + 1."""

    def __init__(self, units):
        self.units = units
        self.index = {(unit.measure, unit.tenant, unit.year, unit.month): i for i, unit in enumerate(units)}
        self.inequalities, self.equations = Constraints(), Constraints()
        self.figures = defaultdict(list)
        for i, unit in enumerate(units):
            self.figures[figure_key(unit)].append(i)
            for sign in (1.0, -1.0):  # |x - r| <= base - 1
                self.inequalities.add([2 * i, 2 * i + 1], unit.base - 1, signs=(sign, -sign))
        for members in self.figures.values():
            self.equations.add([2 * i + 1 for i in members], sum(units[i].published for i in members))
        self.months_of = defaultdict(list)
        for i, unit in enumerate(units):
            if unit.measure == "met_month":
                self.months_of[(unit.tenant, unit.year)].append(i)
        for coefficient, child, parents in self.relations():
            self.inequalities.add([2 * child] + [2 * parent for parent in parents], 0,
                                  signs=[coefficient] + [-1.0] * len(parents))
        self.bounds = [(1, None), (0, None)] * len(units)  # each unit holds at least one person
        self._matrices = None

    def parent(self, measure, unit):
        """[the position of `unit`'s count of `measure` (same partner, year and month as far as
        the measure goes)], or [] when there is none (its count is 0)."""
        found = self.index.get((measure, unit.tenant, None if measure == "volunteers" else unit.year,
                                unit.month if measure in MONTHLY else None))
        return [] if found is None else [found]

    def relations(self):
        """(coefficient, child, parents): coefficient x_child <= sum of x_parents."""
        for i, unit in enumerate(self.units):
            if unit.measure == "met_year":
                yield 1.0, i, self.parent("volunteers", unit)
                yield 1.0, i, self.months_of[(unit.tenant, unit.year)]
            elif unit.measure == "met_month":
                yield 1.0, i, self.parent("met_year", unit)
                yield 1.0, i, self.parent("meetings", unit)
            elif unit.measure == "meetings":
                yield float(MIN_MEETING_MINUTES), i, self.parent("minutes", unit)

    def feasible(self, exact):
        """Whether (x = `exact`, r = the published counts) satisfies every constraint."""
        point = np.zeros(2 * len(self.units))
        point[0::2] = exact
        point[1::2] = [unit.published for unit in self.units]
        if self._matrices is None:
            self._matrices = (self.inequalities.matrix(len(point)), self.equations.matrix(len(point)))
        a_ub, a_eq = self._matrices
        return bool((point[0::2] >= 1).all() and (a_ub @ point <= np.array(self.inequalities.rhs) + 1e-9).all()
                    and (np.abs(a_eq @ point - np.array(self.equations.rhs)) <= 1e-9).all())

    def witness(self):
        """A high point: every exact count as high as its rounding interval and the relations
        allow, taken in the order of the relations (each at least the truth, which satisfies them)."""
        units = self.units
        top = [unit.published + unit.base - 1 for unit in units]
        high = list(top)

        def of(measure, unit):
            return [high[i] for i in self.parent(measure, unit)]

        for i, unit in enumerate(units):
            if unit.measure == "meetings":
                high[i] = min([top[i], *(value // MIN_MEETING_MINUTES for value in of("minutes", unit))])
        for i, unit in enumerate(units):
            if unit.measure == "met_month":
                high[i] = min([top[i], *of("meetings", unit), *of("volunteers", unit)])
        for i, unit in enumerate(units):
            if unit.measure == "met_year":
                months = sum(high[j] for j in self.months_of[(unit.tenant, unit.year)])
                high[i] = min([top[i], months, *of("volunteers", unit)])
        for i, unit in enumerate(units):
            if unit.measure == "met_month":
                high[i] = min([high[i], *of("met_year", unit)])
        return high

    def cells(self):
        """{figure key: unit positions} of the protected figures."""
        return {key: members for key, members in self.figures.items() if key[0] in PROTECTED}

    def interval(self, members):
        highs, lows = extremes([[2 * i for i in members]], self.inequalities, self.equations, self.bounds)
        return lows[0], highs[0]


REPORTS_CHECKED = 5


def check_surfaces(units):
    """The companies list and the reports (their latest year) of the REPORTS_CHECKED companies
    of fewest volunteers show the sums of the units' published counts: the figures the audit
    writes are the ones a coordinator reads (the same statements for every company: a few show
    a wrong cell or grouping as well as all would, at a fraction of the time)."""
    published = defaultdict(int)
    for unit in units:
        published[(unit.company, *figure_key(unit))] += unit.published
    shown = volunteer_counts()
    expected = {company: value for (company, measure, _, _), value in published.items()
                if measure == "volunteers" and value}
    if shown != expected:
        raise RuntimeError(f"audit model: the companies list shows {shown}, the units add up to {expected}")
    exact = defaultdict(int)
    for unit in units:
        if unit.measure == "volunteers":
            exact[unit.company] += unit.count
    for company in sorted(exact, key=lambda company: (exact[company], company))[:REPORTS_CHECKED]:
        report = company_report(company)
        figures = [("volunteers", None, None, report.volunteers)]
        if report.year is not None:
            figures.append(("met_year", report.year, None, report.year_volunteers))
            for row in report.months:
                figures += [(measure, report.year, row.month, getattr(row, column)) for measure, column in
                            (("met_month", "volunteers"), ("meetings", "meetings"), ("minutes", "minutes"))]
        for measure, year, month, value in figures:
            if published[(company, measure, year, month)] != value:
                raise RuntimeError(f"audit model: company {company}'s report shows {measure} {year}-{month} = "
                                   f"{value}, the units add up to {published[(company, measure, year, month)]}")


def judge(programme, k, solve_all=False):
    """[(figure key, exact, (low, high) or None)] of the company's protected figures of 1 to
    k - 1 people: None when two points of its programme settle the figure (the truth, below k,
    and the high point, checked against every constraint, at least k), else the interval solved."""
    units = programme.units
    if not programme.feasible([unit.count for unit in units]):
        raise RuntimeError(f"audit model: company {units[0].company}'s exact counts break its own constraints")
    high = programme.witness()
    high_is_feasible = programme.feasible(high)
    small = []
    for key, members in programme.cells().items():
        exact = sum(units[i].count for i in members)
        if not 0 < exact < k:
            continue
        if high_is_feasible and sum(high[i] for i in members) >= k and not solve_all:
            small.append((key, exact, None))
        else:
            small.append((key, exact, programme.interval(members)))
    return small


def audit_companies(k, base, solve_all=False):
    """[(company, figure key, exact, (low, high) or None when settled by two points)] of every
    protected company figure of 1 to k - 1 people, and the counts (cells, constraints, programmes)."""
    units = load_company_units(base)
    check_surfaces(units)
    by_company = defaultdict(list)
    for unit in units:
        by_company[unit.company].append(unit)
    small, counts = [], {"cells": 0, "equations": 0, "programmes": 0}
    for company, company_units in sorted(by_company.items()):
        programme = CompanyProgramme(company_units)
        counts["cells"] += len(programme.cells())
        counts["equations"] += len(programme.inequalities.rhs) + len(programme.equations.rhs)
        for key, exact, interval in judge(programme, k, solve_all):
            counts["programmes"] += 0 if interval is None else 2
            small.append((company, key, exact, interval))
    return small, counts
