"""The SQL of real pages, captured from in-process requests, and its query plans.

A page's statements are captured with SQLAlchemy's `before_cursor_execute` while the page is
served by the real app (logged in as the real user), so they include the transaction
settings (tenant and role) the app writes: replaying them through psycopg runs exactly what
the page runs, under Row-Level Security.
"""
import psycopg
import sqlalchemy as sa

from bench.generate import BENCH_PASSWORD
from config import database_url

# A sequential scan is the right plan for a small table; on a larger one it means a missing index.
LARGE_TABLE_ROWS = 10_000
COORDINATOR_EMAIL = "coordenacao@bench.rede-mentores.pt"


def _capture_app(url):
    from network.national.app import create_app

    # The dashboard uncached: its queries are what we want to see.
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url(url), "REDIS_URL": None,
                       "RATELIMIT_STORAGE_URI": "memory://", "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                       "SECRET_KEY": "bench-not-secret"})


def capture_pages(url, pages):
    """{label: [(statement, parameters)]} for `pages`: (label, user e-mail, path) triples."""
    from network.core.extensions import db

    app = _capture_app(url)
    captured, clients = {}, {}
    with app.app_context():
        engine = db.engine
    for label, email, path in pages:
        client = clients.get(email)
        if client is None:
            client = clients[email] = app.test_client()
            response = client.post("/login", data={"email": email, "password": BENCH_PASSWORD})
            assert response.status_code == 302, f"login of {email}: {response.status_code}"
        statements = []

        def remember(connection, cursor, statement, parameters, context, executemany, statements=statements):
            statements.append((statement, parameters))

        sa.event.listen(engine, "before_cursor_execute", remember)
        try:
            response = client.get(path)
        finally:
            sa.event.remove(engine, "before_cursor_execute", remember)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        captured[label] = statements
    return captured


def capture_statements(url, email, path):
    return capture_pages(url, [("page", email, path)])["page"]


def _is_setting(statement):
    return statement.lstrip().upper().startswith("SELECT SET_CONFIG")


def _walk(node, depth=0):
    yield depth, node
    for child in node.get("Plans", ()):
        yield from _walk(child, depth + 1)


def _plan_lines(plan):
    lines = []
    for depth, node in _walk(plan):
        target = node.get("Relation Name", "")
        if node.get("Index Name"):
            target += f" using {node['Index Name']}"
        lines.append(f"{'  ' * depth}{node['Node Type']} {target}".rstrip()
                     + f"  (rows={node.get('Actual Rows')}, {node.get('Actual Total Time')} ms)")
    return lines


def explain(url, captured):
    """EXPLAIN ANALYZE every SELECT of each page, in the page's own transaction settings."""
    results, seen = [], set()
    with psycopg.connect(url) as connection:
        sizes = dict(connection.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'").fetchall())
        connection.rollback()
        for label, statements in captured.items():
            with connection.transaction(), connection.cursor() as cursor:
                for statement, parameters in statements:
                    if _is_setting(statement):
                        cursor.execute(statement, parameters)
                        continue
                    if not statement.lstrip().upper().startswith("SELECT") or statement in seen:
                        continue
                    seen.add(statement)
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
                    document = cursor.fetchone()[0][0]
                    nodes = [node for _, node in _walk(document["Plan"])]
                    tables = sorted({node["Relation Name"] for node in nodes if "Relation Name" in node})
                    seq_large = sorted({node["Relation Name"] for node in nodes if node["Node Type"] == "Seq Scan"
                                        and sizes.get(node["Relation Name"], 0) > LARGE_TABLE_ROWS})
                    results.append({
                        "page": label,
                        "tables": tables,
                        "largest_table_rows": max((sizes.get(table, 0) for table in tables), default=0),
                        "indexes": sorted({node["Index Name"] for node in nodes if "Index Name" in node}),
                        "seq_scans_on_large_tables": seq_large,
                        "uses_index": not seq_large,
                        "execution_ms": round(document["Execution Time"], 2),
                        "statement": " ".join(statement.split())[:600],
                        "plan": _plan_lines(document["Plan"]),
                    })
    return results


def explain_all(url, largest, matching_tenant, mentee_ids):
    slug, staff = largest[0], f"tecnico@{largest[0]}.bench.rede-mentores.pt"
    matcher = f"tecnico@{matching_tenant[0]}.bench.rede-mentores.pt"
    with psycopg.connect(url) as connection:
        process_id = connection.execute("SELECT max(id) FROM mentoring_processes WHERE tenant_id = %s",
                                        [largest[1]]).fetchone()[0]
    pages = [
        ("National dashboard", COORDINATOR_EMAIL, "/t/coordenacao/dashboard"),
        ("National dashboard, one district", COORDINATOR_EMAIL, "/t/coordenacao/dashboard?district=lisboa"),
        ("Partner dashboard", staff, f"/t/{slug}/dashboard"),
        ("National impact", COORDINATOR_EMAIL, "/t/coordenacao/dashboard/impact"),
        ("Process list", staff, f"/t/{slug}/processes/"),
        ("Process list, state filter", staff, f"/t/{slug}/processes/?state=active&page=2"),
        ("Process list, meeting overdue", staff, f"/t/{slug}/processes/?attention=meeting_overdue"),
        ("Process list, follow-up due", staff, f"/t/{slug}/processes/?attention=follow_up_due"),
        ("Process list, search", staff, f"/t/{slug}/processes/?q=silva"),
        ("Process detail", staff, f"/t/{slug}/processes/{process_id}"),
        ("Mentor list", staff, f"/t/{slug}/mentors"),
        ("Mentee list, waiting", staff, f"/t/{slug}/mentees?status=waiting"),
        ("Outbox", staff, f"/t/{slug}/outbox"),
        ("Matching suggestions", matcher, f"/t/{matching_tenant[0]}/matching/mentees/{mentee_ids[0]}"),
    ]
    return explain(url, capture_pages(url, pages))


# The indexes of migration 0008_bench_indexes, by the page they serve, measured with and
# without in the same run.
BENCH_INDEXES = {
    "list": ("ix_mentoring_processes_tenant_matched",),
    "detail": ("ix_agreement_goals_tenant_agreement", "ix_goal_progress_tenant_follow_up",
               "ix_goal_outcomes_tenant_evaluation"),
}


def _page_sql_ms(cursor, statements):
    """Execution time (EXPLAIN ANALYZE) of a page's SELECTs, summed."""
    total = 0.0
    for statement, parameters in statements:
        if _is_setting(statement):
            cursor.execute(statement, parameters)
        elif statement.lstrip().upper().startswith("SELECT"):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
            total += cursor.fetchone()[0][0]["Execution Time"]
    return total


def index_before_after(url, statements, indexes, repeat=7):
    """Median SQL time of a page with `indexes` and without them (dropped inside a transaction
    that is rolled back), alternating, in the same run."""
    timings = {"with": [], "without": []}
    with psycopg.connect(url) as connection:
        for _ in range(repeat):
            for variant in ("with", "without"):
                with connection.cursor() as cursor:
                    if variant == "without":
                        for index in indexes:
                            cursor.execute(f'DROP INDEX "{index}"')
                    timings[variant].append(_page_sql_ms(cursor, statements))
                connection.rollback()
    return {variant: round(sorted(values)[len(values) // 2], 2) for variant, values in timings.items()}
