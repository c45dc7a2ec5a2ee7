"""The corporate social responsibility report: a company's volunteers and volunteer hours.

Volunteers are the mentors linked to the company, in every partner; volunteer time is the
sum of the durations of the meetings logged in the processes those mentors follow. Counts
and sums only, read through the national roll-up bypass.
"""
from dataclasses import dataclass

import sqlalchemy as sa

from network.extensions import db
from tenants.participants.models import Mentor
from tenants.processes.models import Meeting, MentoringProcess
from tenants.tenancy import national_rollup_bypass


@dataclass(frozen=True)
class MonthFigures:
    month: int
    volunteers: int  # distinct volunteers who met that month
    meetings: int
    minutes: int


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


def _meetings_of_volunteers(company_id, *columns):
    return (
        sa.select(*columns)
        .select_from(Meeting)
        .join(MentoringProcess, sa.and_(MentoringProcess.tenant_id == Meeting.tenant_id,
                                        MentoringProcess.id == Meeting.process_id))
        .join(Mentor, sa.and_(Mentor.tenant_id == MentoringProcess.tenant_id,
                              Mentor.id == MentoringProcess.mentor_id))
        .where(Mentor.company_id == company_id)
    )


def company_report(company_id, year=None):
    """The figures of one company for `year` (default: the latest year with meetings)."""
    meeting_year = sa.extract("year", Meeting.held_on)
    meeting_month = sa.extract("month", Meeting.held_on)
    with national_rollup_bypass("companies: corporate social responsibility report"):
        volunteers, partners = db.session.execute(
            sa.select(sa.func.count(Mentor.id), sa.func.count(sa.distinct(Mentor.tenant_id)))
            .where(Mentor.company_id == company_id)
        ).one()
        years = [int(value) for value in db.session.scalars(
            _meetings_of_volunteers(company_id, meeting_year.label("year")).distinct().order_by(sa.desc("year")))]
        if year is None and years:
            year = years[0]
        in_year = [] if year is None else [meeting_year == year]
        year_volunteers = db.session.scalar(
            _meetings_of_volunteers(company_id, sa.func.count(sa.distinct(Mentor.id))).where(*in_year)
        ) if year is not None else 0
        months = [
            MonthFigures(int(month), volunteers_met, meetings, int(minutes or 0))
            for month, volunteers_met, meetings, minutes in db.session.execute(
                _meetings_of_volunteers(
                    company_id, meeting_month.label("month"), sa.func.count(sa.distinct(Mentor.id)),
                    sa.func.count(Meeting.id), sa.func.sum(Meeting.duration_minutes),
                ).where(*in_year).group_by(meeting_month).order_by(meeting_month)
            )
        ] if year is not None else []
    return CompanyReport(volunteers=volunteers, partners=partners, years=years, year=year,
                         year_volunteers=year_volunteers or 0, months=months)


def volunteer_counts():
    """{company id: volunteers} for every company, across partners."""
    with national_rollup_bypass("companies: volunteers per company"):
        return dict(db.session.execute(
            sa.select(Mentor.company_id, sa.func.count(Mentor.id))
            .where(Mentor.company_id.is_not(None))
            .group_by(Mentor.company_id)
        ).all())
