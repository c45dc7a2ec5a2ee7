"""The matching page (`/t/<slug>/matching/mentees/<id>`, the first waiting mentee of the
matching partner, as `bench.run`'s mixed load asks for it) of an earlier tree and of this one,
side by side on the data already in the bench database:

- over HTTP: both trees served by gunicorn at once (`bench.run`'s settings), one client,
  rounds interleaved (A B, B A, ...), p50/p95 per round and their medians;
- in one process (Flask's test client, each tree in a process of its own, in turn): CPU and
  wall milliseconds per request.

    python -m bench.matching_page --before-root /tmp/mp-before [--rounds 3] [--seconds 6]
        [--requests 100] [--port-base 8900] [--mentees 1]

The earlier tree needs its compiled catalogs (`pybabel compile -d translations`).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
from contextlib import ExitStack

import psycopg

from bench import generate as generator
from bench import load
from bench.run import big_tenants, gunicorn, run_folder, set_port_base, staff_email
from config import PROJECT_ROOT

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench"

# Run inside each tree (its own code on the path); argv: url, paths (comma-separated), email, requests.
_IN_PROCESS = r"""
import json, sys, time
from bench import generate as generator
from bench.run import make_app
url, paths, email, requests = sys.argv[1], sys.argv[2].split(","), sys.argv[3], int(sys.argv[4])
app = make_app(url, None, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False, LOG_LEVEL="WARNING")
client = app.test_client()
assert client.post("/login", data={"email": email, "password": generator.BENCH_PASSWORD}).status_code == 302
for path in paths * 2:
    assert client.get(path, headers={"Accept-Language": "en"}).status_code == 200
cpu, wall = [], []
for number in range(requests):
    c, w = time.process_time(), time.perf_counter()
    client.get(paths[number % len(paths)], headers={"Accept-Language": "en"})
    cpu.append(time.process_time() - c)
    wall.append(time.perf_counter() - w)
print(json.dumps({"cpu_ms": sorted(cpu)[len(cpu) // 2] * 1000, "wall_ms": sorted(wall)[len(wall) // 2] * 1000}))
"""


def page_paths(url, matching_tenant, mentees):
    """The pages of the first `mentees` waiting mentees (the first: `bench.run`'s page; 20: the
    mentees of its matching benchmark)."""
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT id FROM mentees WHERE tenant_id = %s AND status = 'waiting' ORDER BY id LIMIT %s",
            [matching_tenant[1], mentees]).fetchall()
    return [f"/t/{matching_tenant[0]}/matching/mentees/{mentee_id}" for (mentee_id,) in rows]


def over_http(url, redis_url, trees, paths, email, rounds, seconds):
    runs = {name: [] for name in trees}
    log_path = run_folder("matching-page") / "gunicorn.log"
    with ExitStack() as stack:
        sessions = {name: load.login(stack.enter_context(gunicorn("wsgi:app", url, redis_url, log_path, root=root)),
                                     email, generator.BENCH_PASSWORD) for name, root in trees.items()}
        for number in range(rounds):
            for name in list(trees)[::1 if number % 2 == 0 else -1]:
                summary = load.run([(sessions[name], path) for path in paths], 1, seconds, warmup=1.0).summary()
                assert summary["errors"] == 0, summary
                runs[name].append(summary)
    return runs


def in_process(url, trees, paths, email, rounds, requests):
    runs = {name: [] for name in trees}
    for number in range(rounds):
        for name in list(trees)[::1 if number % 2 == 0 else -1]:
            root = trees[name]
            environment = {**os.environ, "PYTHONPATH": str(root), "APP_ENV": "production", "DATABASE_URL": url,
                           "SECRET_KEY": "bench-not-secret", "MAIL_BACKEND": "console", "LOG_LEVEL": "WARNING"}
            environment.pop("REDIS_URL", None)
            output = subprocess.run([sys.executable, "-c", _IN_PROCESS, url, ",".join(paths), email, str(requests)], cwd=root,
                                    env=environment, check=True, capture_output=True, text=True).stdout
            runs[name].append(json.loads(output.strip().splitlines()[-1]))
    return runs


def _median(runs, key):
    return round(statistics.median(run[key] for run in runs), 2)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before-root", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--port-base", type=int, default=8900)
    parser.add_argument("--mentees", type=int, default=1, help="pages of this many mentees, in turn")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-in-process", action="store_true")
    arguments = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    redis_url = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/9"
    set_port_base(arguments.port_base)
    _, matching_tenant, _ = big_tenants(url)
    paths, email = page_paths(url, matching_tenant, arguments.mentees), staff_email(matching_tenant[0])
    trees = {"before": arguments.before_root, "after": str(PROJECT_ROOT)}
    print(f"pages {paths[0]} ({len(paths)} mentees); load average at start {os.getloadavg()}")
    if not arguments.skip_http:
        runs = over_http(url, redis_url, trees, paths, email, arguments.rounds, arguments.seconds)
        for name, values in runs.items():
            rounds = "; ".join(f"{run['p50_ms']}/{run['p95_ms']} ({run['samples']})" for run in values)
            print(f"HTTP {name}: p50 {_median(values, 'p50_ms')} ms, p95 {_median(values, 'p95_ms')} ms "
                  f"(rounds p50/p95 (samples): {rounds})")
        print(f"load average after HTTP {os.getloadavg()}")
    if not arguments.skip_in_process:
        runs = in_process(url, trees, paths, email, arguments.rounds, arguments.requests)
        for name, values in runs.items():
            print(f"in-process {name}: median per request cpu {_median(values, 'cpu_ms')} ms, "
                  f"wall {_median(values, 'wall_ms')} ms (rounds: "
                  + "; ".join(f"{run['cpu_ms']:.1f}/{run['wall_ms']:.1f}" for run in values) + ")")
        print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
