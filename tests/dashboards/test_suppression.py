"""Small-cell suppression: no hidden count can be worked out from what is shown (exact
linear algebra over the rationals, on thousands of seeded random tables)."""
import random
from fractions import Fraction

import pytest

from network.dashboards.suppression import ABSENT, COMPLEMENTARY, PRIMARY, suppress

THRESHOLD = 5


def _rank(matrix):
    matrix = [row[:] for row in matrix]
    rank, columns = 0, len(matrix[0]) if matrix else 0
    for column in range(columns):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][column] != 0:
                factor = matrix[r][column] / matrix[rank][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank])]
        rank += 1
    return rank


def determined_entries(table):
    """Hidden entries whose value follows from the shown ones and the row/column equations."""
    height, width = table.rows + 1, table.columns + 1
    unknowns = [(i, j) for i in range(height) for j in range(width) if table.status[i][j] is not None]
    index = {entry: k for k, entry in enumerate(unknowns)}
    lines = [[(i, j) for j in range(width)] for i in range(height)] + \
            [[(i, j) for i in range(height)] for j in range(width)]
    equations = []
    for line in lines:
        row = [Fraction(0)] * len(unknowns)
        for position, entry in enumerate(line):
            sign = -1 if position == len(line) - 1 else 1  # the last entry is the total
            if entry in index:
                row[index[entry]] += sign
        if any(row):
            equations.append(row)
    if not equations:
        return []
    base = _rank(equations)
    found = []
    for entry, k in index.items():
        unit = [Fraction(0)] * len(unknowns)
        unit[k] = Fraction(1)
        if _rank(equations + [unit]) == base:
            found.append(entry)
    return found


def random_table(rng):
    rows, columns = rng.randint(1, 6), rng.randint(1, 6)
    weights = rng.choice([(0, 3), (0, 8), (0, 30)])
    return [[rng.choice([0, rng.randint(1, 4), rng.randint(*weights)]) for _ in range(columns)]
            for _ in range(rows)]


@pytest.mark.parametrize("seed", range(8))
def test_no_hidden_count_can_be_recovered_from_the_totals(seed):
    rng = random.Random(seed)
    for _ in range(250):
        cells = random_table(rng)
        flags = rng.choice([(True, True), (True, False), (False, True), (False, False)])
        table = suppress(cells, THRESHOLD, *flags)
        height, width = table.rows + 1, table.columns + 1
        for i in range(height):
            for j in range(width):
                value, status = table.entries[i][j], table.status[i][j]
                if status is None:
                    assert not 0 < value < THRESHOLD, (cells, flags, i, j)
                if i < table.rows and j < table.columns:
                    assert value == cells[i][j]
        secret = {(i, j) for i in range(height) for j in range(width)
                  if table.status[i][j] in (PRIMARY, COMPLEMENTARY)}
        leaked = secret & set(determined_entries(table))
        assert not leaked, (cells, flags, leaked, table.status)


def test_primary_and_complementary_in_a_small_example():
    table = suppress([[3, 10, 20], [12, 11, 30]], THRESHOLD)
    assert table.cell(0, 0) == PRIMARY
    # Row 0 and column 0 each need a second hidden cell.
    assert table.status[0].count(None) < 4
    assert table.cell(1, 2) == 30 or table.cell(1, 2) == COMPLEMENTARY
    assert table.grand_total == 86


def test_zero_is_shown_and_large_tables_stay_mostly_visible():
    table = suppress([[0, 50], [60, 70]], THRESHOLD)
    assert all(table.status[i][j] is None for i in range(3) for j in range(3))
    rng = random.Random(1)
    big = [[rng.randint(20, 90) for _ in range(6)] for _ in range(300)]
    big[7][2] = 2
    table = suppress(big, THRESHOLD, show_row_totals=False)
    hidden = sum(status is not None and status != ABSENT for row in table.status for status in row)
    assert 2 <= hidden <= 4
