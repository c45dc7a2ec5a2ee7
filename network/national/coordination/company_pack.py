"""A company's impact pack for one year: its volunteers and their meeting hours (the volunteering
report's figures), the processes they completed, and the change in the situation of the mentees
they mentored, as suppressed aggregates only: each partner's count rounded by the disclosure
layer and then added up, like the rest of the company report (docs/disclosure.md).

Verified volunteer hours are the meetings of the volunteers' processes that both the mentor and
the mentee confirmed in the portal; the hours of every meeting logged (by staff, the mentor or
the mentee) are shown beside them, labelled as logged.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import national_rollup_bypass
from network.national.coordination.companies import _published, company_report
from network.national.dashboards.impact_rows import (
    CHANGE_ORDER,
    MENTEE_INDICATORS,
    _assessment,
    _change,
    _gas_scores,
)
from network.national.disclosure import rounding_base
from tenants.outcomes.measures import band_mean
from tenants.participants.models import Mentor
from tenants.processes.models import MentoringProcess


@dataclass(frozen=True)
class CompanyPack:
    company: str
    year: int | None
    years: list
    volunteers: int
    year_volunteers: int
    meetings: int
    hours: float  # verified: the meetings confirmed by both sides
    logged_hours: float  # every meeting logged
    completed: int
    changes: dict = field(default_factory=dict)  # {indicator: {change: published count}}
    gas_processes: int = 0
    gas_mean: float | None = None
    rounding_base: int = 0


def _closed_by_volunteers(company_id, year):
    """The processes of the company's volunteers closed in `year` (a FROM clause and conditions)."""
    p = MentoringProcess.__table__
    mentor = Mentor.__table__
    source = p.join(mentor, sa.and_(mentor.c.tenant_id == p.c.tenant_id, mentor.c.id == p.c.mentor_id))
    return p, source, [mentor.c.company_id == company_id, p.c.state == "closed",
                       sa.cast(sa.extract("year", p.c.closed_on), sa.Integer) == year]


def _published_by_value(source, where, tenant, value, cell):
    grouped = (sa.select(tenant.label("tenant_id"), value.label("value"), sa.func.count().label("n"))
               .select_from(source).where(*where, value.isnot(None)).group_by(tenant, value).subquery())
    return {row.value: int(row.n) for row in db.session.execute(_published(grouped, ("value",), {"n": (cell, 1)}))}


def _outcomes(company_id, year, prefix):
    p, source, where = _closed_by_volunteers(company_id, year)
    intake, on_intake = _assessment(p, "mentee", "intake", "intake")
    closing, on_closing = _assessment(p, "mentee", "closing", "closing")
    both = source.join(intake, on_intake).join(closing, sa.and_(
        on_closing, closing.c.measures_version == intake.c.measures_version))
    changes = {}
    for code in MENTEE_INDICATORS:
        counts = _published_by_value(both, where, p.c.tenant_id, _change(code, intake, closing),
                                     f"{prefix}|impact_{code}|{year}")
        changes[code] = {change: counts.get(change, 0) for change in CHANGE_ORDER}
    gas = _gas_scores(lambda column: [])
    scored = source.join(gas, sa.and_(gas.c.tenant_id == p.c.tenant_id, gas.c.process_id == p.c.id))
    bands = _published_by_value(scored, where, p.c.tenant_id, gas.c.band, f"{prefix}|impact_gas|{year}")
    completed = (sa.select(p.c.tenant_id, sa.func.count().label("n")).select_from(source).where(*where)
                 .group_by(p.c.tenant_id).subquery())
    total = db.session.execute(_published(completed, (), {"n": (f"{prefix}|completed|{year}", 1)})).scalar() or 0
    return int(total), changes, bands


def company_pack(company, year=None):
    """The pack of `company` for `year` (default: the latest year with meetings)."""
    report = company_report(company.id, year)
    year = report.year if year is None else year
    completed, changes, bands = 0, {code: dict.fromkeys(CHANGE_ORDER, 0) for code in MENTEE_INDICATORS}, {}
    if year is not None:
        with national_rollup_bypass("companies: impact pack"):
            completed, changes, bands = _outcomes(company.id, year, f"company|{int(company.id)}")
    return CompanyPack(
        company=company.name, year=year, years=report.years, volunteers=report.volunteers,
        year_volunteers=report.year_volunteers if report.year == year else 0,
        meetings=report.meetings if report.year == year else 0,
        hours=round(report.verified_minutes / 60, 1) if report.year == year else 0.0,
        logged_hours=round(report.minutes / 60, 1) if report.year == year else 0.0,
        completed=completed, changes=changes, gas_processes=sum(bands.values()),
        gas_mean=band_mean(bands), rounding_base=rounding_base(),
    )
