"""Follow-up and meeting dates across month ends and leap years."""
from datetime import date

import pytest

from tenants.processes.cadence import add_months, follow_up_due_date, meeting_overdue


@pytest.mark.parametrize("start, months, expected", [
    (date(2026, 1, 15), 1, date(2026, 2, 15)),
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 11, 30), 2, date(2027, 1, 30)),
    (date(2026, 12, 31), 3, date(2027, 3, 31)),
    (date(2027, 11, 29), 3, date(2028, 2, 29)),
    (date(2026, 5, 10), 0, date(2026, 5, 10)),
    (date(2026, 5, 10), 24, date(2028, 5, 10)),
])
def test_add_months_keeps_the_day_or_takes_the_months_last_day(start, months, expected):
    assert add_months(start, months) == expected


def test_monthly_follow_ups_counted_from_the_anchor_never_drift():
    anchor = date(2026, 1, 31)
    dues = [follow_up_due_date(anchor, 1, n) for n in range(1, 7)]
    assert dues == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31),
                    date(2026, 6, 30), date(2026, 7, 31)]


def test_bimonthly_and_quarterly_cadences():
    anchor = date(2027, 12, 31)
    assert [follow_up_due_date(anchor, 2, n) for n in (1, 2, 3)] == [date(2028, 2, 29), date(2028, 4, 30),
                                                                      date(2028, 6, 30)]
    assert [follow_up_due_date(anchor, 3, n) for n in (1, 2, 4)] == [date(2028, 3, 31), date(2028, 6, 30),
                                                                      date(2028, 12, 31)]


def test_a_meeting_is_overdue_only_after_the_agreed_interval():
    last = date(2026, 2, 26)
    assert not meeting_overdue(last, 7, date(2026, 3, 5))
    assert meeting_overdue(last, 7, date(2026, 3, 6))
