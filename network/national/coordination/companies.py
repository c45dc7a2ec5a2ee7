"""The corporate social responsibility report: a company's volunteers and volunteer hours.

Volunteers are the mentors linked to the company, in every partner; volunteer time is the
sum of the durations of the meetings logged in the processes those mentors follow, and the
verified time that of the meetings both the mentor and the mentee confirmed in the portal
(`tenants.processes.models.verified_meeting`). Counts of
people by employer are protected (docs/disclosure.md): every count, and the meetings and
minutes that would bound them, is each partner's count rounded by the disclosure layer and
then added up. Read through the national roll-up bypass.
"""
from dataclasses import dataclass

import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import national_rollup_bypass
from network.national.disclosure import published_sql, rounding_base
from tenants.participants.models import Mentor
from tenants.processes.models import Meeting, MentoringProcess, verified_meeting


@dataclass(frozen=True)
class MonthFigures:
    month: int
    volunteers: int  # distinct volunteers who met that month
    meetings: int
    minutes: int  # of every meeting logged
    verified_minutes: int  # of the meetings confirmed by both sides


@dataclass(frozen=True)
class CompanyReport:
    volunteers: int  # mentors linked to the company, in any partner
    partners: int  # partners in which they volunteer
    years: list  # years with meetings, newest first
    year: int | None  # the year shown
    year_volunteers: int  # distinct volunteers who met in that year
    months: list  # MonthFigures of the months with meetings

    @property
    def meetings(self):
        return sum(month.meetings for month in self.months)

    @property
    def minutes(self):
        return sum(month.minutes for month in self.months)

    @property
    def verified_minutes(self):
        return sum(month.verified_minutes for month in self.months)


def _meetings_of_volunteers(company_id, *columns):
    """The meetings of the processes followed by the company's volunteers (None: any company's)."""
    return (
        sa.select(*columns)
        .select_from(Meeting)
        .join(MentoringProcess, sa.and_(MentoringProcess.tenant_id == Meeting.tenant_id,
                                        MentoringProcess.id == Meeting.process_id))
        .join(Mentor, sa.and_(Mentor.tenant_id == MentoringProcess.tenant_id,
                              Mentor.id == MentoringProcess.mentor_id))
        .where(Mentor.company_id.is_not(None) if company_id is None else Mentor.company_id == company_id)
    )


def _published(grouped, keys, measures):
    """Sums by `keys` of the published counts of `grouped` (a subquery with a `tenant_id`, the
    `keys` and, for each measure, its exact column): each partner's count is rounded on its
    own (network.national.disclosure), the cell named by `measures[name]` (a text prefix) and the keys."""
    base = rounding_base()
    sums = []
    for name, (prefix, scale) in measures.items():
        cell = sa.literal(prefix, sa.Text)
        for key in keys:
            cell = cell + "|" + sa.cast(grouped.c[key], sa.Text)
        cell = cell + "|" + sa.cast(grouped.c.tenant_id, sa.Text)
        sums.append(sa.cast(sa.func.sum(published_sql(grouped.c[name], cell, base * scale)), sa.BigInteger)
                    .label(name))
    columns = [grouped.c[key] for key in keys]
    return sa.select(*columns, *sums).group_by(*columns).order_by(*columns)


# Minutes are rounded to multiples of 5 b: a meeting lasts at least 5 minutes, so minutes rounded
# to 0 (up to 5 b - 1 = 5 k + 4) still allow k volunteers who met (docs/disclosure.md).
MINUTES_SCALE = 5


def _months(company_id, prefix, year):
    """MonthFigures of `year`, published: volunteers who met, meetings, minutes logged and verified."""
    meeting_year = sa.cast(sa.extract("year", Meeting.held_on), sa.Integer)
    meeting_month = sa.cast(sa.extract("month", Meeting.held_on), sa.Integer)
    monthly = (_meetings_of_volunteers(
        company_id, Mentor.tenant_id, meeting_year.label("year"), meeting_month.label("month"),
        sa.func.count(sa.distinct(Mentor.id)).label("volunteers"), sa.func.count(Meeting.id).label("meetings"),
        sa.func.sum(Meeting.duration_minutes).label("minutes"),
        sa.func.sum(sa.case((verified_meeting(), Meeting.duration_minutes), else_=0)).label("verified_minutes"),
    ).where(meeting_year == year).group_by(Mentor.tenant_id, meeting_year, meeting_month).subquery())
    return [
        MonthFigures(int(month), int(volunteers_met), int(meetings), int(minutes), int(verified))
        for _, month, volunteers_met, meetings, minutes, verified in db.session.execute(_published(
            monthly, ("year", "month"), {"volunteers": (f"{prefix}|met", 1), "meetings": (f"{prefix}|meetings", 1),
                                         "minutes": (f"{prefix}|minutes", MINUTES_SCALE),
                                         "verified_minutes": (f"{prefix}|verified_minutes", MINUTES_SCALE)}))
    ]


def company_report(company_id, year=None):
    """The figures of one company for `year` (default: the latest year with meetings): counts
    of people and of their meetings as published (the disclosure layer), per partner rounded."""
    meeting_year = sa.cast(sa.extract("year", Meeting.held_on), sa.Integer)
    prefix = f"company|{int(company_id)}"
    with national_rollup_bypass("companies: corporate social responsibility report"):
        per_partner = (sa.select(Mentor.tenant_id, sa.func.count(Mentor.id).label("volunteers"))
                       .where(Mentor.company_id == company_id).group_by(Mentor.tenant_id).subquery())
        volunteers = db.session.execute(
            _published(per_partner, (), {"volunteers": (f"{prefix}|volunteers", 1)})).scalar() or 0
        # How many partners: a count of partners (not of people) only says "at least that many".
        partners = db.session.scalar(sa.select(sa.func.count()).select_from(per_partner))
        years = [int(value) for value in db.session.scalars(
            _meetings_of_volunteers(company_id, meeting_year.label("year")).distinct().order_by(sa.desc("year")))]
        if year is None and years:
            year = years[0]
        if year is None:
            return CompanyReport(volunteers=volunteers, partners=partners, years=years, year=None, year_volunteers=0,
                                 months=[])
        in_year = [meeting_year == year]
        met_in_year = (_meetings_of_volunteers(company_id, Mentor.tenant_id, meeting_year.label("year"),
                                               sa.func.count(sa.distinct(Mentor.id)).label("volunteers"))
                       .where(*in_year).group_by(Mentor.tenant_id, meeting_year).subquery())
        year_volunteers = db.session.execute(
            _published(met_in_year, ("year",), {"volunteers": (f"{prefix}|met", 1)})).first()
        months = _months(company_id, prefix, year)
    return CompanyReport(volunteers=int(volunteers), partners=partners, years=years, year=year,
                         year_volunteers=int(year_volunteers.volunteers) if year_volunteers else 0, months=months)


def volunteer_counts():
    """{company id: published volunteers} for every company, across partners."""
    with national_rollup_bypass("companies: volunteers per company"):
        per_partner = (sa.select(Mentor.company_id, Mentor.tenant_id, sa.func.count(Mentor.id).label("volunteers"))
                       .where(Mentor.company_id.is_not(None)).group_by(Mentor.company_id, Mentor.tenant_id)
                       .subquery())
        cell = "company|" + sa.cast(per_partner.c.company_id, sa.Text) + "|volunteers|" + sa.cast(
            per_partner.c.tenant_id, sa.Text)
        return {company_id: int(total) for company_id, total in db.session.execute(
            sa.select(per_partner.c.company_id,
                      sa.func.sum(published_sql(per_partner.c.volunteers, cell, rounding_base())))
            .group_by(per_partner.c.company_id)) if total}


def volunteer_minutes():
    """{company id: published volunteer minutes of its latest year with meetings}: the sum of the
    cells that company's report shows for that year (the same cells, the same rounding)."""
    year = sa.cast(sa.extract("year", Meeting.held_on), sa.Integer)
    month = sa.cast(sa.extract("month", Meeting.held_on), sa.Integer)
    with national_rollup_bypass("companies: volunteer hours per company"):
        grouped = (_meetings_of_volunteers(None, Mentor.company_id, Mentor.tenant_id, year.label("year"),
                                           month.label("month"),
                                           sa.func.sum(Meeting.duration_minutes).label("minutes"))
                   .group_by(Mentor.company_id, Mentor.tenant_id, year, month).subquery())
        dated = sa.select(grouped, sa.func.max(grouped.c.year).over(partition_by=grouped.c.company_id)
                          .label("latest")).subquery()
        cell = ("company|" + sa.cast(dated.c.company_id, sa.Text) + "|minutes|" + sa.cast(dated.c.year, sa.Text)
                + "|" + sa.cast(dated.c.month, sa.Text) + "|" + sa.cast(dated.c.tenant_id, sa.Text))
        published = sa.func.sum(published_sql(dated.c.minutes, cell, rounding_base() * MINUTES_SCALE))
        return {company_id: int(total) for company_id, total in db.session.execute(
            sa.select(dated.c.company_id, published).where(dated.c.year == dated.c.latest)
            .group_by(dated.c.company_id)) if total}
