"""Date arithmetic for follow-ups and meetings: plain functions, easy to test."""
import calendar
from datetime import date, timedelta


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter
    (31 January + 1 month = 28 or 29 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def follow_up_due_date(anchor: date, cadence_months: int, sequence: int) -> date:
    """The due date of follow-up number `sequence` (1, 2, ...). Always counted from the
    anchor, so short months never make the schedule drift."""
    return add_months(anchor, cadence_months * sequence)


def meeting_overdue(last_meeting: date, frequency_days: int, today: date) -> bool:
    """A meeting is overdue once the agreed interval has passed with no meeting."""
    return today > last_meeting + timedelta(days=frequency_days)
