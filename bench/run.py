"""Run every benchmark against PostgreSQL and Redis on this machine and write
docs/benchmarks.json (results of every size run so far) and docs/benchmarks.md.

    python -m bench.run --size small [--skip-generate] [--quick] [--port-base 8600]
    python -m bench.run --size national --only impact|dashboards

`--only impact` (or `dashboards`): only those rows of the dashboards' benchmark (the national
impact page; or every dashboard row, the impact page's included), against the data already in
the database (generated first when there is none), after one roll-up rebuild; the size's other
rows in docs/benchmarks.json are kept, and docs/benchmarks.md is written again.

`--quick` (`make bench-quick`): only the pages against the naive peer (`bench.peer`), the bare
endpoint and the pages' SQL through psycopg, interleaved; generates the data only when the
database has none; prints the table and writes nothing under docs/.

Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/bench, created
if missing and migrated with `flask db upgrade heads`), BENCH_REDIS_URL (default
redis://127.0.0.1:6379/14, flushed: it is the benchmarks' own database), BENCH_PORT_BASE (the
first of the ports the gunicorns bind, one more for each; default: ports the system picks).
Each run writes its servers' logs in its own folder, instance/bench/<size>-<time>-<pid>/, so
two people (or two worktrees) can run it at the same time on different databases and ports.

The machine is shared and noisy, so every figure is a median of repeated runs, and
throughputs are compared as ratios measured side by side in the same run.
"""
import argparse
import itertools
import json
import os
import platform
import random
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime

import click
import psycopg
import sqlalchemy as sa
from redis import Redis

from bench import generate as generator
from bench import load, naive_dashboard, report, under_load
from bench.limits import replay
from bench.plans import BENCH_INDEXES, capture_statements, explain_all, index_before_after
from bench.servers import wait_for_port
from bench.stats import median_of, paired_ratio, time_calls
from config import PROJECT_ROOT, database_url

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
RESULTS = PROJECT_ROOT / "docs" / "benchmarks.json"
# Gunicorn settings shared by the pages and the bare endpoint: one worker per core.
GUNICORN = ["--workers", "2", "--worker-class", "gthread", "--threads", "4", "--timeout", "60",
            "--keep-alive", "5", "--log-level", "warning"]
# Per size: repetitions and durations; `small` must finish in a few minutes.
PLAN = {
    "small": {"dashboard": 60, "cached": 300, "rebuilds": 3, "matching": 40, "rounds": 3, "seconds": 5,
              "clients": 8, "load_seconds": 60},
    "national": {"dashboard": 30, "cached": 300, "rebuilds": 3, "matching": 30, "rounds": 3, "seconds": 6,
                 "clients": 8, "load_seconds": 60},
    "europe": {"dashboard": 60, "cached": 300, "rebuilds": 3, "matching": 40, "rounds": 3, "seconds": 8,
               "clients": 8, "load_seconds": 60},
}
TARGET_MS = 50
REBUILD_LIMIT_SECONDS = 30
REBUILD_LIMIT_PROCESSES = 1_000_000
PAGE_SHARE_OF_BARE = 0.5
PEER_SHARE = 0.9
NAIVE_SHARE = 0.1  # the uncached national dashboard against the same figures counted from the case tables
NAIVE_REPEAT = 3  # about 5 s each at `national`: its p50 is what the ratio needs
LOAD_USERS = 50


# --- setup -------------------------------------------------------------------------

def ensure_database(url, fresh):
    """Create the bench database when missing, then migrate it to every head. `fresh`: start
    from an empty schema (the data is about to be regenerated anyway), so a migration edited
    since the last run applies as written."""
    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
    if fresh:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
            connection.execute("CREATE SCHEMA public")
    environment = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi"}
    environment.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade", "heads"], cwd=PROJECT_ROOT, env=environment,
                   check=True, capture_output=True)


def make_app(url, redis_url, **overrides):
    from network.national.app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url(url), "REDIS_URL": redis_url,
                       "RATELIMIT_STORAGE_URI": "memory://", "SECRET_KEY": "bench-not-secret", **overrides})


def scenario(name, size, variant, data, limit, ratio, passed, **extra):
    return {"scenario": name, "size": size, "variant": variant, "p50_ms": data.get("p50_ms"),
            "p95_ms": data.get("p95_ms"), "p99_ms": data.get("p99_ms"), "throughput": data.get("throughput"),
            "samples": data.get("samples"), "limit": limit, "ratio": ratio, "passed": passed, **extra}


def big_tenants(url):
    """(slug, tenant id) of the partner with the most processes, and the matching tenant."""
    with psycopg.connect(url) as connection:
        largest = connection.execute(
            "SELECT t.slug, t.id FROM tenants t JOIN mentoring_processes p ON p.tenant_id = t.id "
            "WHERE t.slug <> %s GROUP BY t.id ORDER BY count(*) DESC LIMIT 1", [generator.MATCHING_TENANT_SLUG]
        ).fetchone()
        matching = connection.execute("SELECT slug, id FROM tenants WHERE slug = %s",
                                      [generator.MATCHING_TENANT_SLUG]).fetchone()
        processes = connection.execute("SELECT count(*) FROM mentoring_processes").fetchone()[0]
    return largest, matching, processes


def staff_email(slug):
    return f"tecnico@{slug}.bench.rede-mentores.pt"


COORDINATOR_EMAIL = "coordenacao@bench.rede-mentores.pt"


# --- 1 and 2: roll-ups and dashboards ------------------------------------------------

def rollup_rebuild(app, size, plan, processes):
    from network.core.extensions import db
    from network.national.dashboards.rebuild import rebuild_rollups

    timings = []
    with app.app_context():
        for _ in range(plan["rebuilds"]):
            began = time.perf_counter()
            rows = rebuild_rollups()
            timings.append(time.perf_counter() - began)
            db.session.remove()
    seconds = sorted(timings)[len(timings) // 2]
    projected = seconds * REBUILD_LIMIT_PROCESSES / max(processes, 1)
    # Judged where the limit is set: a rebuild's fixed costs would dominate a linear projection.
    judged = processes >= 0.9 * REBUILD_LIMIT_PROCESSES
    data = {"p50_ms": round(seconds * 1000, 1), "p95_ms": round(max(timings) * 1000, 1),
            "p99_ms": round(max(timings) * 1000, 1), "throughput": round(processes / seconds), "samples": len(timings)}
    return scenario("Roll-up rebuild from scratch", size, f"{processes:,} processes, {rows:,} roll-up rows", data,
                    f"<= {REBUILD_LIMIT_SECONDS} s for 1,000,000 processes",
                    round(seconds / REBUILD_LIMIT_SECONDS, 3) if judged else None,
                    seconds <= REBUILD_LIMIT_SECONDS if judged else None,
                    seconds=round(seconds, 2), projected_seconds_at_1m=round(projected, 1), rows=rows,
                    throughput_unit="processes/s")


IMPACT_VARIANT = report.IMPACT_VARIANT


def impact_page(filters, tenant_id):
    """What the impact page computes before its template: the figures and their presentation."""
    from network.national.dashboards.impact import impact_data
    from network.national.dashboards.impact_presentation import present_impact

    return present_impact(impact_data(filters, tenant_id))


def dashboards(url, redis_url, size, plan, largest, impact_only=False):
    from network.core.extensions import db
    from network.national.dashboards.impact_views import impact_args
    from network.national.dashboards.services import dashboard_data, parse_filters

    results = []
    variants = (("national, last 12 months", None, {}, dashboard_data),
                ("national, Lisboa only", None, {"district": "lisboa"}, dashboard_data),
                ("one partner, last 12 months", largest[1], {}, dashboard_data),
                # The page's own default query (two years of cohorts: outcomes come at closing).
                (IMPACT_VARIANT, None, impact_args({}), impact_page))
    if impact_only:
        variants = variants[-1:]
    for cache_label, cache_url, repeat in (("uncached", None, plan["dashboard"]), ("cached", redis_url, plan["cached"])):
        app = make_app(url, cache_url)
        for label, tenant_id, args, read in variants:
            with app.test_request_context("/"):
                filters, errors = parse_filters(args, national=tenant_id is None)
                assert not errors, errors

                def call(read=read, filters=filters, tenant_id=tenant_id):
                    read(filters, tenant_id)
                    db.session.rollback()

                if tenant_id is None:
                    data = time_calls(call, repeat)
                else:
                    from network.core.tenancy import tenant_context

                    with tenant_context(tenant_id):
                        data = time_calls(call, repeat)
                db.session.remove()
            results.append(scenario("Dashboard", size, f"{label}, {cache_label}", data, f"p95 <= {TARGET_MS} ms",
                                    round(data["p95_ms"] / TARGET_MS, 3), data["p95_ms"] <= TARGET_MS,
                                    throughput_unit="calls/s, one client"))
    return results


def with_naive_comparison(url, size, results):
    """The rows of `dashboards` and, after them, the uncached national dashboard (last 12 months)
    against the same figures counted by a naive GROUP BY over the case tables
    (`bench.naive_dashboard`), timed here in the same run: ours ÷ naive at p50, at most NAIVE_SHARE."""
    from network.national.dashboards.services import DEFAULT_MONTHS, add_months

    ours = next(row for row in results if row["scenario"] == "Dashboard"
                and row["variant"] == "national, last 12 months, uncached")
    end = datetime.now(UTC).strftime("%Y-%m")
    with psycopg.connect(url) as connection:
        data = naive_dashboard.time_naive(connection, add_months(end, -(DEFAULT_MONTHS - 1)), end, NAIVE_REPEAT)
    ratio = round(ours["p50_ms"] / data["p50_ms"], 4) if data["p50_ms"] else None
    row = scenario("Dashboard: a naive GROUP BY over the case tables", size,
                   "national, last 12 months, exact counts, no roll-ups", data,
                   f"ours / naive <= {NAIVE_SHARE} (p50)", ratio, ratio is not None and ratio <= NAIVE_SHARE,
                   ours_p50_ms=ours["p50_ms"], statements=len(naive_dashboard.statements()),
                   throughput_unit="calls/s, one client")
    return results + [row]


# --- 4: matching ---------------------------------------------------------------------

def matching(url, size, plan, matching_tenant):
    from network.core.extensions import db
    from network.core.tenancy import tenant_context
    from tenants.matching.services import eligible_mentors, matching_settings, suggest_mentors
    from tenants.participants.models import Mentee

    app = make_app(url, None)
    with app.test_request_context("/"), tenant_context(matching_tenant[1]):
        mentee_ids = db.session.scalars(sa.select(Mentee.id).where(Mentee.status == "waiting")
                                        .order_by(Mentee.id).limit(20)).all()
        mentees = [db.session.get(Mentee, mentee_id) for mentee_id in mentee_ids]
        for mentee in mentees:
            list(mentee.support_areas), list(mentee.languages)
        candidates = len(eligible_mentors(matching_settings().max_mentees_per_mentor))
        turns = itertools.cycle(mentees)
        data = time_calls(lambda: suggest_mentors(next(turns)), plan["matching"])
        db.session.remove()
    return scenario("Matching suggestions", size, f"1 mentee among {candidates:,} eligible mentors (10,000 in tenant)",
                    data, f"p95 <= {TARGET_MS} ms", round(data["p95_ms"] / TARGET_MS, 3),
                    data["p95_ms"] <= TARGET_MS, throughput_unit="calls/s, one client"), mentee_ids


# --- 3 and 5: pages over HTTP ---------------------------------------------------------

_port_base = {"next": int(os.environ.get("BENCH_PORT_BASE") or 0)}


def set_port_base(base):
    if base:
        _port_base["next"] = base


def free_port():
    """The next port from the base (--port-base, BENCH_PORT_BASE), else one the system picks."""
    if _port_base["next"]:
        port, _port_base["next"] = _port_base["next"], _port_base["next"] + 1
        return port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_folder(size):
    """This run's own folder (its servers' logs, the quick run's figures)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    folder = PROJECT_ROOT / "instance" / "bench" / f"{size}-{stamp}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def gunicorn(module, url, redis_url, log_path, root=PROJECT_ROOT):
    """One gunicorn on 127.0.0.1 with the shared settings, serving the code under `root`;
    stopped (by its pid) on exit."""
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "APP_ENV": "production",
                   "SECRET_KEY": "bench-not-secret", "MAIL_BACKEND": "console", "PYTHONPATH": str(root)}
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", *GUNICORN, "--bind", f"127.0.0.1:{port}",
                                    module], cwd=root, env=environment, stdout=log, stderr=log)
    try:
        wait_for_port(process, port, log_path)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def page_paths(url, slug, tenant_id, rng):
    with psycopg.connect(url) as connection:
        process_ids = [row[0] for row in connection.execute(
            "SELECT id FROM mentoring_processes WHERE tenant_id = %s ORDER BY id", [tenant_id]).fetchall()]
    sample = rng.sample(process_ids, min(50, len(process_ids)))
    base = f"/t/{slug}/processes/"
    lists = [base, f"{base}?state=active", f"{base}?attention=meeting_overdue", f"{base}?page=3",
             f"{base}?q=silva", f"{base}?state=closed&page=2"]
    return lists, [f"{base}{process_id}" for process_id in sample]


def throughput_rounds(url, redis_url, size, plan, largest, log_path, before_root=None):
    """Rounds of: bare endpoint, the app's floor, list and detail pages (ours, then the naive
    peer's), and the pages' SQL through psycopg; each target alone for `seconds`, rounds
    interleaved, medians reported. `before_root`: also the pages of an earlier tree (its own
    code, `bench.compare.export_tree`), in the same rotation: before and after from one run."""
    rng = random.Random(7)
    lists, details = page_paths(url, largest[0], largest[1], rng)
    statements = {
        "list": capture_statements(url, staff_email(largest[0]), lists[0]),
        "detail": capture_statements(url, staff_email(largest[0]), details[0]),
    }
    keys = ("bare", "floor", "list", "detail", "peer_list", "peer_detail", "list_sql", "detail_sql")
    rounds = {key: [] for key in keys + (("before_floor", "before_list", "before_detail") if before_root else ())}
    clients, seconds = plan["clients"], plan["seconds"]
    with ExitStack() as stack:
        def serve(module, root=PROJECT_ROOT):
            port = stack.enter_context(gunicorn(module, url, redis_url, log_path, root=root))
            return load.login(port, staff_email(largest[0]), generator.BENCH_PASSWORD)

        bare = load.Session(stack.enter_context(gunicorn("bench.limits:bare_app", url, redis_url, log_path)))
        servers = {"": serve("bench.limits:app_with_floor()"), "peer_": serve("bench.peer:peer_app()")}
        if before_root:
            servers["before_"] = serve("bench.limits:app_with_floor()", before_root)
        for number in range(plan["rounds"]):
            _one_round(number, rounds, bare, servers, largest[0], lists, details, clients, seconds)
            for page in ("list", "detail"):
                rounds[f"{page}_sql"].append({"throughput": replay(url, statements[page], clients, seconds)})
    if not plan.get("quick"):
        for page in ("list", "detail"):
            rounds[f"{page}_indexes_ms"] = index_before_after(url, statements[page], BENCH_INDEXES[page])
    bare_throughput = median_of(rounds["bare"], "throughput")
    floor = _medians(rounds["floor"])
    results = [
        scenario("Bare Flask endpoint (request-overhead limit)", size, f"gunicorn, {clients} clients",
                 _medians(rounds["bare"]), "reference", 1.0, True, throughput_unit="requests/s"),
        scenario("Application floor: a workspace endpoint returning a constant", size,
                 f"gunicorn, {clients} clients; session, login, tenant, role, RLS transaction", floor, "reference",
                 round(floor["throughput"] / bare_throughput, 3) if bare_throughput else None, True,
                 throughput_unit="requests/s"),
    ]
    for page, label in (("list", "Process list page (filters, pagination)"), ("detail", "Process detail page")):
        results += _page_rows(page, label, size, clients, largest, rounds, statements, bare_throughput, floor)
    if before_root:
        results += _before_rows(size, clients, rounds)
    return results, rounds


def _one_round(number, rounds, bare, servers, slug, lists, details, clients, seconds):
    rounds["bare"].append(load.run([(bare, "/bare")], clients, seconds).summary())
    for prefix, session in servers.items():
        if prefix != "peer_":
            rounds[f"{prefix}floor"].append(load.run([(session, f"/t/{slug}/bench-floor")], clients, seconds).summary())
    for page, paths in (("list", lists), ("detail", details)):
        # Each server's page back to back, in reversed order every other round.
        for prefix, session in list(servers.items())[::1 if number % 2 == 0 else -1]:
            rounds[f"{prefix}{page}"].append(load.run([(session, path) for path in paths], clients, seconds).summary())


def _before_rows(size, clients, rounds):
    rows = []
    for page, label in (("floor", "Application floor"), ("list", "Process list page"),
                        ("detail", "Process detail page")):
        data = _medians(rounds[f"before_{page}"])
        after = median_of(rounds[page], "throughput")
        rows.append(scenario(f"{label}: the earlier tree (before)", size, f"gunicorn, {clients} clients", data,
                             "reference", round(after / data["throughput"], 3) if data["throughput"] else None, True,
                             throughput_unit="requests/s"))
    return rows


def peer_ratio(rounds, page):
    """Ours / the naive peer's throughput for `page`, round by round: median and spread."""
    return paired_ratio(rounds[page], rounds[f"peer_{page}"])


def _page_rows(page, label, size, clients, largest, rounds, statements, bare_throughput, floor):
    data = _medians(rounds[page])
    peer = _medians(rounds[f"peer_{page}"])
    ratio, spread = peer_ratio(rounds, page)
    data_limit = median_of(rounds[f"{page}_sql"], "throughput")
    return [
        scenario(label, size, f"gunicorn, {clients} clients, staff of {largest[0]}", data,
                 f">= {PEER_SHARE:.0%} of the naive peer's throughput", ratio,
                 ratio is not None and ratio >= PEER_SHARE, throughput_unit="requests/s",
                 errors=sum(run["errors"] for run in rounds[page]), ratio_spread=spread,
                 share_of_bare=round(data["throughput"] / bare_throughput, 3) if bare_throughput else None,
                 share_of_floor=round(data["throughput"] / floor["throughput"], 3) if floor["throughput"] else None,
                 data_limit_throughput=data_limit,
                 share_of_data_limit=round(data["throughput"] / data_limit, 3) if data_limit else None,
                 queries_per_page=len([s for s, _ in statements[page] if not _is_setting(s)])),
        scenario(f"{label}: the naive peer (bench.peer)", size, f"gunicorn, {clients} clients; no RLS, no role "
                 "switch, membership check, WHERE tenant_id", peer, "reference", None, True,
                 throughput_unit="requests/s", errors=sum(run["errors"] for run in rounds[f"peer_{page}"])),
        scenario(f"{label}: its SQL through psycopg (data limit)", size,
                 f"{clients} clients, {len(statements[page])} statements per page",
                 {"throughput": data_limit}, "reference", None, True, throughput_unit="pages/s"),
    ]


def _medians(runs):
    return {key: median_of(runs, key) for key in ("p50_ms", "p95_ms", "p99_ms", "throughput")} | {
        "samples": sum(run.get("samples") or 0 for run in runs)}


def _is_setting(statement):
    return statement.lstrip().upper().startswith("SELECT SET_CONFIG")


def mixed_load(url, redis_url, size, plan, largest, matching_tenant, mentee_ids, log_path):
    """50 concurrent users for 60 s: staff registering mentees (`under_load.WRITERS` of them)
    while the others read the pages staff and coordinators use most."""
    rng = random.Random(11)
    lists, details = page_paths(url, largest[0], largest[1], rng)
    with under_load.each_user_from_own_address(), gunicorn("wsgi:app", url, redis_url, log_path) as port:
        staff = load.login(port, staff_email(largest[0]), generator.BENCH_PASSWORD)
        coordinator = load.login(port, COORDINATOR_EMAIL, generator.BENCH_PASSWORD)
        matcher = load.login(port, staff_email(matching_tenant[0]), generator.BENCH_PASSWORD)
        slug = largest[0]
        matching_page = (matcher, f"/t/{matching_tenant[0]}/matching/mentees/{mentee_ids[0]}")
        once = load.run([matching_page], 1, 0.001, warmup=0)
        first = once.latencies[0] * 1000 if once.latencies else None
        single = load.run([matching_page], 1, 5, warmup=0).summary()
        targets = (
            [(staff, path) for path in lists] * 3
            + [(staff, path) for path in details[:12]]
            + [(staff, f"/t/{slug}/mentors"), (staff, f"/t/{slug}/mentees"), (staff, f"/t/{slug}/mentees?page=2"),
               (staff, f"/t/{slug}/dashboard"), (staff, f"/t/{slug}/"), (staff, f"/t/{slug}/outbox")]
            + [(coordinator, "/t/coordenacao/dashboard")] * 2
            + [matching_page]
        )
        rng.shuffle(targets)
        stop, answers = threading.Event(), []
        writers = under_load.writers(url, port, stop, answers, staff_email)
        for writer in writers:
            writer.start()
        began = time.monotonic()
        result = load.run(targets, LOAD_USERS - len(writers), plan["load_seconds"], warmup=0)
        stop.set()
        for writer in writers:
            writer.join(60)
    summary = result.summary()
    written = under_load.write_summary(answers, began)
    written["throughput"] = round(written["requests"] / plan["load_seconds"], 1)
    matching_http = scenario("Matching suggestions over HTTP (page)", size, "one client", single,
                             f"p95 <= {TARGET_MS} ms", round(single["p95_ms"] / TARGET_MS, 3) if single["p95_ms"] else None,
                             bool(single["p95_ms"]) and single["p95_ms"] <= TARGET_MS, first_request_ms=first,
                             throughput_unit="requests/s")
    readers = LOAD_USERS - under_load.WRITERS
    mixed = scenario("Load: mixed workload, reads", size, f"{LOAD_USERS} users, {plan['load_seconds']} s: {readers} "
                     f"reading {len(targets)} pages in rotation", summary, "0 errors", summary["errors"],
                     summary["errors"] == 0, errors=summary["errors"], requests=summary["requests"],
                     error_samples=summary["error_samples"], throughput_unit="requests/s",
                     load_average=os.getloadavg())
    writes = scenario("Load: mixed workload, writes", size, f"the same run: {under_load.WRITERS} staff registering "
                      "mentees (time between a writer's answers)", written, "0 errors", written["errors"],
                      written["errors"] == 0, errors=written["errors"], requests=written["requests"],
                      error_samples=written["error_samples"], throughput_unit="writes/s")
    return [matching_http, mixed, writes]


def peer_load(url, redis_url, size, plan, largest, log_path):
    """The process pages, ours and the naive peer's, under the mixed load's number of users."""
    lists, details = page_paths(url, largest[0], largest[1], random.Random(13))
    rounds = under_load.peer_under_load(url, redis_url, lambda module: gunicorn(module, url, redis_url, log_path),
                                        lists + details[:12], staff_email(largest[0]), LOAD_USERS,
                                        plan["load_seconds"] / 2)
    ratio, spread = paired_ratio(rounds["ours"], rounds["peer"])
    ours, peer = _medians(rounds["ours"]), _medians(rounds["peer"])
    errors = sum(run["errors"] for run in rounds["ours"] + rounds["peer"])
    variant = f"{LOAD_USERS} users, list and detail pages, {under_load.PEER_ROUNDS} rounds of {plan['load_seconds'] / 2:g} s"
    return [
        scenario("Load: process pages, ours", size, variant, ours, f">= {PEER_SHARE:.0%} of the naive peer's "
                 "throughput, 0 errors", ratio, ratio is not None and ratio >= PEER_SHARE and errors == 0,
                 throughput_unit="requests/s", errors=errors, ratio_spread=spread, load_average=os.getloadavg()),
        scenario("Load: process pages, the naive peer (bench.peer)", size, variant, peer, "reference", None, True,
                 throughput_unit="requests/s", errors=sum(run["errors"] for run in rounds["peer"])),
    ], rounds


# --- the whole run ---------------------------------------------------------------------

def run(size, url, redis_url, skip_generate):
    plan = PLAN[size]
    started = time.monotonic()
    log_path = run_folder(size) / "gunicorn.log"
    click.echo(f"Preparing the {size} network in {url}", err=True)
    ensure_database(url, fresh=not skip_generate)
    generation = None
    if not skip_generate:
        generation = generator.generate(url, size, echo=lambda text: click.echo(text, err=True))
    Redis.from_url(redis_url).flushdb()
    largest, matching_tenant, processes = big_tenants(url)
    rebuild_app = make_app(url, redis_url)
    results = []
    click.echo("2. roll-up rebuild", err=True)
    results.append(rollup_rebuild(rebuild_app, size, plan, processes))
    with psycopg.connect(url, autocommit=True) as connection:
        # Fresh statistics for the tables the rebuild just filled, as autovacuum would take soon after.
        connection.execute("ANALYZE")
    click.echo("1. dashboards", err=True)
    results += with_naive_comparison(url, size, dashboards(url, redis_url, size, plan, largest))
    click.echo("4. matching", err=True)
    matching_result, mentee_ids = matching(url, size, plan, matching_tenant)
    results.append(matching_result)
    click.echo("query plans", err=True)
    plans = explain_all(url, largest, matching_tenant, mentee_ids)
    click.echo("3. pages under gunicorn", err=True)
    page_results, rounds = throughput_rounds(url, redis_url, size, plan, largest, log_path)
    results += page_results
    click.echo("5. mixed load", err=True)
    results += mixed_load(url, redis_url, size, plan, largest, matching_tenant, mentee_ids, log_path)
    click.echo("6. the process pages and the naive peer under load", err=True)
    peer_results, rounds["under_load"] = peer_load(url, redis_url, size, plan, largest, log_path)
    results += peer_results
    return {
        "size": size,
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_at_start": os.getloadavg()},
        "generation": generation,
        "largest_partner": largest[0],
        "processes": processes,
        "scenarios": results,
        "rounds": rounds,
        "before_after": {f"process_{page}_sql_ms": {"indexes": list(BENCH_INDEXES[page]), **rounds[f"{page}_indexes_ms"]}
                         for page in ("list", "detail")},
        "plans": plans,
        "seconds": round(time.monotonic() - started, 1),
    }


def only_dashboards(size, url, redis_url, which):
    """`--only impact|dashboards`: those rows only, on the data already generated (generated
    first when there is none), after one roll-up rebuild (untimed)."""
    from network.core.extensions import db
    from network.national.dashboards.rebuild import rebuild_rollups

    ensure_database(url, fresh=False)
    if not has_data(url):
        generator.generate(url, size, echo=lambda text: click.echo(text, err=True))
    Redis.from_url(redis_url).flushdb()
    largest, _, processes = big_tenants(url)
    app = make_app(url, None)
    with app.app_context():
        rebuild_rollups()
        db.session.remove()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("ANALYZE")
    load_before = os.getloadavg()
    rows = dashboards(url, redis_url, size, PLAN[size], largest, impact_only=which == "impact")
    load = [load_before, os.getloadavg()]
    beside = {row["variant"].rsplit(", ", 1)[1]: row for row in rows if row["variant"].startswith("national, last 12")}
    for row in rows:
        row["load_average"] = load
        cache = row["variant"].rsplit(", ", 1)[1]
        if row["variant"].startswith(IMPACT_VARIANT) and cache in beside:
            # Same run, same load: what the impact page costs next to the dashboard the limit was set for.
            row["national_dashboard_beside"] = {key: beside[cache][key] for key in ("p50_ms", "p95_ms")}
    click.echo(report.scenario_table({size: {"scenarios": rows}}))
    click.echo(f"(load average before and after: {load})", err=True)
    return rows, processes


def merge_rows(everything, size, rows, processes):
    """The size's results with `rows` in place of the rows of the same scenario and variant."""
    if size not in everything["sizes"]:
        raise click.ClickException(f"No full run at {size} in {RESULTS}: run `python -m bench.run --size {size}` once.")
    outcome = everything["sizes"][size]
    replaced = {(row["scenario"], row["variant"]) for row in rows}
    kept = [row for row in outcome["scenarios"] if (row["scenario"], row["variant"]) not in replaced]
    # After the last dashboard row kept, where a full run puts them.
    after = max((index + 1 for index, row in enumerate(kept) if row["scenario"] == "Dashboard"), default=len(kept))
    outcome["scenarios"] = kept[:after] + rows + kept[after:]
    if outcome.get("processes") != processes:
        click.echo(f"note: {size} now has {processes:,} processes (the full run had {outcome.get('processes')})",
                   err=True)
    return everything


def has_data(url):
    try:
        with psycopg.connect(url) as connection:
            return connection.execute("SELECT count(*) FROM mentoring_processes").fetchone()[0] > 0
    except psycopg.Error:
        return False


def quick(size, url, redis_url, seconds=3.0, rounds=3, before=None):
    """The pages against the naive peer only (`make bench-quick`): figures printed and kept in
    this run's folder, nothing written under docs/. `before`: a commit whose pages join the
    rotation (the ratio column of its rows: after / before)."""
    folder = run_folder(size)
    before_root = None
    if before:
        from bench.compare import export_tree

        before_root = export_tree(before, folder / "before")
    if not has_data(url):
        ensure_database(url, fresh=True)
        generator.generate(url, size, echo=lambda text: click.echo(text, err=True))
    Redis.from_url(redis_url).flushdb()
    largest, _, _ = big_tenants(url)
    plan = {**PLAN[size], "rounds": rounds, "seconds": seconds, "quick": True}
    load_before = os.getloadavg()
    results, raw = throughput_rounds(url, redis_url, size, plan, largest, folder / "gunicorn.log", before_root)
    outcome = {"size": size, "before": before, "load_average": [load_before, os.getloadavg()], "scenarios": results,
               "rounds": raw}
    (folder / "quick.json").write_text(json.dumps(outcome, indent=1, ensure_ascii=False) + "\n")
    click.echo(report.quick_table(outcome))
    click.echo(f"(logs and figures in {folder})", err=True)
    return outcome


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=generator.SIZES, default="small")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the data already in the database")
    parser.add_argument("--quick", action="store_true", help="only the pages against the naive peer")
    parser.add_argument("--seconds", type=float, default=3.0, help="--quick: seconds per target and round")
    parser.add_argument("--rounds", type=int, default=3, help="--quick: interleaved rounds")
    parser.add_argument("--before", help="--quick: an earlier commit whose pages join the rotation")
    parser.add_argument("--port-base", type=int, default=0, help="first port to bind (default: BENCH_PORT_BASE)")
    parser.add_argument("--only", choices=("impact", "dashboards"),
                        help="only the national impact page's rows (or every dashboard row), on the data already "
                             "generated; the size's other results are kept")
    arguments = parser.parse_args(argv)
    set_port_base(arguments.port_base)
    url = os.environ.get("BENCH_DATABASE_URL") or generator.DEFAULT_DATABASE_URL
    redis_url = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    if arguments.quick:
        quick(arguments.size, url, redis_url, arguments.seconds, arguments.rounds, arguments.before)
        return
    if arguments.only:
        rows, processes = only_dashboards(arguments.size, url, redis_url, arguments.only)
        everything = merge_rows(json.loads(RESULTS.read_text()) if RESULTS.exists() else {"sizes": {}},
                                arguments.size, rows, processes)
        RESULTS.write_text(json.dumps(everything, indent=1, ensure_ascii=False) + "\n")
        report.write(everything, RESULTS.with_suffix(".md"))
        return
    outcome = run(arguments.size, url, redis_url, arguments.skip_generate)
    everything = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"sizes": {}}
    if outcome["generation"] is None:
        # The data was generated by an earlier run: keep what that run measured of it.
        outcome["generation"] = everything["sizes"].get(arguments.size, {}).get("generation")
    everything["sizes"][arguments.size] = outcome
    RESULTS.write_text(json.dumps(everything, indent=1, ensure_ascii=False) + "\n")
    report.write(everything, RESULTS.with_suffix(".md"))
    click.echo(f"{arguments.size}: done in {outcome['seconds']} s; see docs/benchmarks.md", err=True)


if __name__ == "__main__":
    main()
