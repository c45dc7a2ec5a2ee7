"""Small-cell suppression of a 2-D table of counts of people, with its totals.

A pure function, free of Flask. The table is seen with its margins as an extended
(R+1) x (C+1) matrix: cells, the row totals in the last column, the column totals in the
last row and the grand total in the corner. Every row and every column of that matrix obeys
one equation (the entries before the last sum to the last), whether or not a total is shown.

- Primary suppression: every shown entry, cell or total, with 0 < value < threshold.
- Complementary suppression: a hidden entry could be worked out from what is shown exactly
  when, in the graph whose nodes are the matrix's rows and columns and whose edges are the
  hidden entries, its edge is a bridge (lies on no cycle). Totals that are not shown at all
  are hidden edges too. So: first, while a row or column has exactly one hidden entry, hide
  its smallest shown cell (the classic rule, fast); then, for each remaining bridge, hide
  the cheapest path of shown entries that closes a cycle through it (cells before totals,
  small before large). Adding edges never turns a cycle edge into a bridge, so this ends.

The result is checked in tests/dashboards/test_suppression.py by exact linear algebra:
no hidden value is determined by the shown ones.
"""
import heapq
from dataclasses import dataclass

PRIMARY = "primary"  # shown as "< threshold"
COMPLEMENTARY = "complementary"  # hidden so a small figure cannot be worked out
ABSENT = "absent"  # a total the table does not show

_MARGIN_PENALTY = 10**12


@dataclass
class SuppressedTable:
    """`entries[i][j]`: the extended matrix (last row and column: totals); `status[i][j]`:
    None (shown), PRIMARY, COMPLEMENTARY or ABSENT."""

    entries: list
    status: list
    threshold: int

    @property
    def rows(self):
        return len(self.entries) - 1

    @property
    def columns(self):
        return len(self.entries[0]) - 1

    def shown(self, i, j):
        """The value if shown, else the status."""
        return self.entries[i][j] if self.status[i][j] is None else self.status[i][j]

    def cell(self, i, j):
        return self.shown(i, j)

    def row_total(self, i):
        return self.shown(i, self.columns)

    def column_total(self, j):
        return self.shown(self.rows, j)

    @property
    def grand_total(self):
        return self.shown(self.rows, self.columns)


def suppress(cells, threshold, show_row_totals=True, show_column_totals=True):
    """`cells`: R lists of C non-negative integers."""
    rows = len(cells)
    columns = len(cells[0]) if rows else 0
    entries = [list(map(int, row)) + [sum(row)] for row in cells]
    entries.append([sum(entries[i][j] for i in range(rows)) for j in range(columns + 1)])
    status = [[None] * (columns + 1) for _ in range(rows + 1)]
    for i in range(rows):
        if not show_row_totals:
            status[i][columns] = ABSENT
    for j in range(columns):
        if not show_column_totals:
            status[rows][j] = ABSENT
    if not (show_row_totals and show_column_totals):
        status[rows][columns] = ABSENT
    for i in range(rows + 1):
        for j in range(columns + 1):
            if status[i][j] is None and 0 < entries[i][j] < threshold:
                status[i][j] = PRIMARY
    if rows and columns:
        _complementary(entries, status, rows, columns)
    return SuppressedTable(entries, status, threshold)


def _is_cell(i, j, rows, columns):
    return i < rows and j < columns


def _cost(entries, i, j, rows, columns):
    return entries[i][j] + 1 + (0 if _is_cell(i, j, rows, columns) else _MARGIN_PENALTY)


def _complementary(entries, status, rows, columns):
    height, width = rows + 1, columns + 1
    # 1. Lines with exactly one hidden entry (of which the total may be one) to a fixed point.
    changed = True
    while changed:
        changed = False
        lines = [[(i, j) for j in range(width)] for i in range(height)]
        lines += [[(i, j) for i in range(height)] for j in range(width)]
        for line in lines:
            hidden = [(i, j) for i, j in line if status[i][j] is not None]
            if len(hidden) != 1 or status[hidden[0][0]][hidden[0][1]] == ABSENT:
                continue
            candidates = [(i, j) for i, j in line if status[i][j] is None]
            if not candidates:
                continue
            i, j = min(candidates, key=lambda e: (_cost(entries, *e, rows, columns), e))
            status[i][j] = COMPLEMENTARY
            changed = True
    # 2. Remaining bridges: close a cycle through each with the cheapest path of shown entries.
    while True:
        bridges = [edge for edge in _bridges(status, height, width) if status[edge[0]][edge[1]] != ABSENT]
        if not bridges:
            return
        i, j = min(bridges)
        path = _cheapest_path(entries, status, rows, columns, source=("c", j), target=("r", i), skip=(i, j))
        if not path:
            return  # a 1-wide table: nothing can hide it (not reached for R, C >= 1)
        for a, b in path:
            status[a][b] = COMPLEMENTARY


def _bridges(status, height, width):
    """Bridges of the bipartite graph rows + columns, edges = hidden entries (iterative Tarjan)."""
    adjacency = {}
    for i in range(height):
        for j in range(width):
            if status[i][j] is not None:
                adjacency.setdefault(("r", i), []).append((("c", j), (i, j)))
                adjacency.setdefault(("c", j), []).append((("r", i), (i, j)))
    order, low, bridges, counter = {}, {}, [], 0
    for root in adjacency:
        if root in order:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, None, iter(adjacency[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            advanced = False
            for neighbour, edge in neighbours:
                if edge == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, edge, iter(adjacency[neighbour])))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        bridges.append(via)
    return bridges


def _cheapest_path(entries, status, rows, columns, source, target, skip):
    """Dijkstra over every entry (hidden: free; shown: its cost), without `skip`; returns the
    shown entries on the cheapest path."""
    height, width = rows + 1, columns + 1
    best = {source: 0}
    previous = {}
    queue = [(0, source)]
    while queue:
        distance, node = heapq.heappop(queue)
        if node == target:
            break
        if distance > best.get(node, float("inf")):
            continue
        kind, index = node
        if kind == "r":
            steps = [(("c", j), (index, j)) for j in range(width)]
        else:
            steps = [(("r", i), (i, index)) for i in range(height)]
        for neighbour, (i, j) in steps:
            if (i, j) == skip:
                continue
            weight = 0 if status[i][j] is not None else _cost(entries, i, j, rows, columns)
            candidate = distance + weight
            if candidate < best.get(neighbour, float("inf")):
                best[neighbour] = candidate
                previous[neighbour] = (node, (i, j))
                heapq.heappush(queue, (candidate, neighbour))
    if target not in previous:
        return []
    path, node = [], target
    while node != source:
        node, (i, j) = previous[node]
        if status[i][j] is None:
            path.append((i, j))
    return path


def suppress_value(value, threshold):
    """One count shown alone (a headline figure): primary suppression only."""
    return PRIMARY if 0 < value < threshold else value
