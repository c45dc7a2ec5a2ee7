"""The national dashboard's figures counted the naive way, for comparison (issue 20): GROUP BY
over the case tables at request time (mentors, mentees, interviews, processes and their events,
the mentees' support areas), no roll-ups, no disclosure layer (exact counts), as the tables'
owner (no Row-Level Security). The same figures as the uncached national dashboard of the last
12 months: the totals of the funnel and the headline, the months, the districts and partner
kinds, the mentee tables (country, age band, gender, residence status, support area) and the
outcomes. `tests/bench_guard/test_naive_dashboard.py` keeps them equal to the roll-ups' exact
counts, so that the two sides count the same things.
"""
import time

from bench.stats import summarize

_UTC_MONTH = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM')"
_NOT_TRANSFERRED = ("NOT EXISTS (SELECT FROM transfers_in x WHERE x.tenant_id = p.tenant_id "
                    "AND x.{link} = p.id)")
_FIRST_INTERVIEW = ("SELECT i.tenant_id, to_char(min(i.held_on), 'YYYY-MM') AS month, {mentee} AS mentee_id "
                    "FROM interviews i JOIN {people} p ON p.tenant_id = i.tenant_id AND p.id = i.{link} "
                    "GROUP BY i.tenant_id, i.{link}")
_OPEN = "state IN ('matched', 'agreement_signed', 'active', 'in_evaluation')"
# Each metric: one row per thing counted, with (tenant_id, month, mentee_id); NULL month: now.
EVENTS = {
    "mentors_registered": (f"SELECT p.tenant_id, {_UTC_MONTH.format('p.created_at')} AS month, NULL::int AS mentee_id "
                           f"FROM mentors p WHERE {_NOT_TRANSFERRED.format(link='mentor_id')}"),
    "mentees_registered": (f"SELECT p.tenant_id, {_UTC_MONTH.format('p.created_at')} AS month, p.id AS mentee_id "
                           f"FROM mentees p WHERE {_NOT_TRANSFERRED.format(link='mentee_id')}"),
    "mentors_interviewed": _FIRST_INTERVIEW.format(mentee="NULL::int", people="mentors", link="mentor_id"),
    "mentees_interviewed": _FIRST_INTERVIEW.format(mentee="i.mentee_id", people="mentees", link="mentee_id"),
    "matched": "SELECT tenant_id, to_char(matched_on, 'YYYY-MM') AS month, mentee_id FROM mentoring_processes",
    "agreement_signed": (f"SELECT DISTINCT e.tenant_id, {_UTC_MONTH.format('e.occurred_at')} AS month, "
                         "NULL::int AS mentee_id, e.process_id FROM process_events e "
                         "WHERE e.to_state = 'agreement_signed'"),
    "activated": ("SELECT tenant_id, to_char(activated_on, 'YYYY-MM') AS month, mentee_id FROM mentoring_processes "
                  "WHERE activated_on IS NOT NULL"),
    "closed": ("SELECT tenant_id, to_char(closed_on, 'YYYY-MM') AS month, mentee_id FROM mentoring_processes "
               "WHERE state = 'closed'"),
    "goals_met": ("SELECT tenant_id, to_char(closed_on, 'YYYY-MM') AS month, mentee_id FROM mentoring_processes "
                  "WHERE state = 'closed' AND outcome = 'goals_met'"),
    "cancelled": ("SELECT tenant_id, to_char(closed_on, 'YYYY-MM') AS month, mentee_id FROM mentoring_processes "
                  "WHERE state = 'cancelled'"),
    "active_mentors": f"SELECT DISTINCT tenant_id, NULL AS month, NULL::int AS mentee_id, mentor_id FROM "
                      f"mentoring_processes WHERE {_OPEN}",
    "active_mentees": f"SELECT DISTINCT tenant_id, NULL AS month, mentee_id FROM mentoring_processes WHERE {_OPEN}",
    "ongoing": f"SELECT tenant_id, NULL AS month, mentee_id FROM mentoring_processes WHERE {_OPEN}",
}
MENTEE_TABLE_METRICS = ("mentees_registered", "matched", "goals_met", "active_mentees")
MENTEE_COLUMNS = {"country": "country_of_origin", "age_band": "age_band", "gender": "gender",
                  "residence": "residence_status"}
_IN_PERIOD = "(e.month IS NULL OR e.month BETWEEN %(start)s AND %(end)s)"


def _events(metrics):
    """Every counted thing of `metrics` in the period, labelled with its metric."""
    return " UNION ALL ".join(f"SELECT '{metric}' AS metric, e.tenant_id, e.month, e.mentee_id FROM ({EVENTS[metric]}) e "
                              f"WHERE {_IN_PERIOD}" for metric in metrics)


def statements():
    """(table, SQL) of every figure the national dashboard shows, each table its own GROUP BY."""
    every = _events(EVENTS)
    mentee = _events(MENTEE_TABLE_METRICS)
    found = [
        ("totals", f"SELECT metric, count(*) FROM ({every}) f GROUP BY metric"),
        ("by_month", f"SELECT month, metric, count(*) FROM ({every}) f WHERE month IS NOT NULL GROUP BY 1, 2"),
        ("by_district", f"SELECT t.district, f.metric, count(*) FROM ({every}) f JOIN tenants t ON t.id = f.tenant_id "
                        "GROUP BY 1, 2"),
        ("by_kind", f"SELECT t.kind, f.metric, count(*) FROM ({every}) f JOIN tenants t ON t.id = f.tenant_id "
                    "GROUP BY 1, 2"),
        ("outcomes", "SELECT outcome, count(*) FROM mentoring_processes WHERE state = 'closed' "
                     "AND to_char(closed_on, 'YYYY-MM') BETWEEN %(start)s AND %(end)s GROUP BY 1"),
        ("support_area", f"SELECT f.metric, a.code, count(*) FROM ({mentee}) f JOIN mentee_support_areas s "
                         "ON s.tenant_id = f.tenant_id AND s.mentee_id = f.mentee_id JOIN support_areas a "
                         "ON a.id = s.support_area_id GROUP BY 1, 2"),
    ]
    found += [(dimension, f"SELECT f.metric, coalesce(m.{column}, 'unknown'), count(*) FROM ({mentee}) f "
                          "JOIN mentees m ON m.tenant_id = f.tenant_id AND m.id = f.mentee_id GROUP BY 1, 2")
              for dimension, column in MENTEE_COLUMNS.items()]
    return found


def naive_figures(connection, start, end):
    """{table: {key: count}}: the dashboard's figures counted from the case tables, on a psycopg
    connection of the tables' owner."""
    figures = {}
    for table, sql in statements():
        rows = connection.execute(sql, {"start": start, "end": end}).fetchall()
        figures[table] = {tuple(row[:-1]): row[-1] for row in rows}
    return figures


def time_naive(connection, start, end, repeat, warmup=1):
    """Latencies of `naive_figures`, summarised as `bench.stats.time_calls` does."""
    for _ in range(warmup):
        naive_figures(connection, start, end)
    latencies = []
    for _ in range(repeat):
        began = time.perf_counter()
        naive_figures(connection, start, end)
        latencies.append(time.perf_counter() - began)
    data = summarize(latencies)
    data["throughput"] = round(1 / sorted(latencies)[len(latencies) // 2], 2)
    return data
