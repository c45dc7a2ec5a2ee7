"""The release grid the audit enumerates: every place (district or ANY x partner kind or ANY) and
every period the national dashboard offers, and the protected cells of every view as matrices."""
import numpy as np

from network.core.tenancy.models import DISTRICTS
from network.national.dashboards.rollups import SNAPSHOT_METRICS
from network.national.dashboards.services import PARTNER_KINDS, month_range, release_periods

ANY = None


def period_keys(start, end):
    """The row keys a period holds: its months, and the years it holds whole (the impact rows'
    cohorts are years, `impact_rows.cohort_of`)."""
    whole_years = {str(year) for year in range(int(start[:4]), int(end[:4]) + 1)
                   if f"{year}-01" >= start and f"{year}-12" <= end}
    return frozenset(month_range(start, end)) | whole_years


def in_period(unit, months):
    return unit.metric in SNAPSHOT_METRICS or unit.month in months


class Grid:
    """The views: places (district or ANY, kind or ANY) and periods, with each row's place
    and month as indices, so that a family's cells in every view are two matrix products."""

    def __init__(self, months, today):
        """`months`: the months (or cohort years) of the roll-up rows (None for a snapshot)."""
        months = {month for month in months if month is not None}
        first = min(months, default="2000-01")
        self.periods = [(start, end, period_keys(start, end))
                        for start, end in release_periods(first, today)]
        self.districts, self.kinds = (ANY, *DISTRICTS), (ANY, *PARTNER_KINDS)
        self.places = [(district, kind) for district in self.districts for kind in self.kinds]
        self.place_index = {place: i for i, place in enumerate(self.places)}
        months = sorted(months | {m for _, _, period in self.periods for m in period})
        self.month_index = {month: i for i, month in enumerate(months)}
        self.in_period = np.zeros((len(months) + 1, len(self.periods)))  # the last row: snapshots
        for j, (_, _, period) in enumerate(self.periods):
            for month in period:
                self.in_period[self.month_index[month], j] = 1
        self.in_period[-1, :] = 1
        self._places = {}

    def unit_month(self, unit):
        return len(self.month_index) if unit.metric in SNAPSHOT_METRICS else self.month_index[unit.month]

    def places_of(self, district, kind):
        """The indices of the places that hold a row of (district, kind)."""
        places = self._places.get((district, kind))
        if places is None:
            places = self._places[(district, kind)] = [
                self.place_index[place] for place in ((district, kind), (district, ANY), (ANY, kind), (ANY, ANY))
                if place in self.place_index]
        return places

    def unit_places(self, unit):
        return self.places_of(unit.district, unit.kind)

    def matrices(self, groups, columns):
        """{family: [one places x periods matrix per column]} from `groups`, rows of (family,
        district, kind, month or None for a snapshot, *column values) already summed by month."""
        names = sorted({group[0] for group in groups}, key=str)
        if not names:
            return {}
        family_index = {family: f for f, family in enumerate(names)}
        month_count = len(self.month_index) + 1
        positions, values = [], []
        for family, district, kind, month, *row in groups:
            month_number = month_count - 1 if month is None else self.month_index[month]
            base = family_index[family] * len(self.places)
            for place in self.places_of(district, kind):
                positions.append((base + place) * month_count + month_number)
                values.append(row)
        size = len(names) * len(self.places) * month_count
        positions = np.array(positions, dtype=np.int64)
        values = np.array(values, dtype=float).reshape(-1, columns)
        by_period = [(np.bincount(positions, weights=values[:, column], minlength=size)
                      .reshape(len(names) * len(self.places), month_count) @ self.in_period)
                     .reshape(len(names), len(self.places), -1) for column in range(columns)]
        return {family: [by_period[column][f] for column in range(columns)] for f, family in enumerate(names)}
