"""The pages in one process (Flask's test client, no HTTP server): milliseconds per request of
CPU (this process: the app's own work) and of wall time (with the database's), for our app, the
naive peer (`bench.peer`) and optionally an earlier commit, each in a process of its own, in
turn, A B C A B C …; medians of the rounds and the ratios of each round's pair.

    python -m bench.inprocess [--before COMMIT] [--rounds 5] [--requests 200]

It is the figure a loaded, shared machine distorts least (CPU time is not spent waiting for
the cores); the HTTP rounds (`python -m bench.run --quick`) include the server and the wire.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from config import PROJECT_ROOT

# Run in a process of its own, with the code of the tree on PYTHONPATH; argv: kind, url, requests.
_MEASURE = r"""
import json, random, sys, time
from bench import generate as generator
from bench.run import big_tenants, page_paths, staff_email
from config import database_url
kind, url, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])
overrides = {"SQLALCHEMY_DATABASE_URI": database_url(url), "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
             "SECRET_KEY": "bench-not-secret", "LOG_LEVEL": "WARNING"}
if kind == "peer":
    from bench.peer import peer_app
    import network.national.app as factory
    create = factory.create_app
    factory.create_app = lambda config=None: create({**overrides, **(config or {})})
    app = peer_app()
else:
    from network.national.app import create_app
    app = create_app(overrides)
largest, _, _ = big_tenants(url)
lists, details = page_paths(url, largest[0], largest[1], random.Random(7))
client = app.test_client()
signed_in = client.post("/login", data={"email": staff_email(largest[0]), "password": generator.BENCH_PASSWORD})
assert signed_in.status_code == 302
out = {}
for page, paths in (("list", lists), ("detail", details[:12])):
    for path in paths * 2:
        assert client.get(path).status_code == 200, path
    cpu, wall = time.process_time(), time.perf_counter()
    for number in range(requests):
        client.get(paths[number % len(paths)])
    out[page] = {"cpu_ms": (time.process_time() - cpu) / requests * 1000,
                 "wall_ms": (time.perf_counter() - wall) / requests * 1000}
print(json.dumps(out))
"""


def measure(kind, root, url, requests):
    environment = {**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{PROJECT_ROOT}", "APP_ENV": "production",
                   "DATABASE_URL": url, "SECRET_KEY": "bench-not-secret", "MAIL_BACKEND": "console",
                   "LOG_LEVEL": "WARNING"}
    environment.pop("REDIS_URL", None)
    output = subprocess.run([sys.executable, "-c", _MEASURE, kind, url, str(requests)], cwd=root, env=environment,
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="an earlier commit, measured in the same rotation")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    arguments = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/bench"
    with tempfile.TemporaryDirectory(prefix="bench-inprocess-") as directory:
        trees = {"ours": ("ours", PROJECT_ROOT), "peer": ("peer", PROJECT_ROOT)}
        if arguments.before:
            from bench.compare import export_tree

            trees["before"] = ("ours", export_tree(arguments.before, directory))
        load = [os.getloadavg()]
        runs = {name: [] for name in trees}
        for number in range(arguments.rounds):
            for name in list(trees)[::1 if number % 2 == 0 else -1]:
                runs[name].append(measure(*trees[name], url, arguments.requests))
        load.append(os.getloadavg())
    print(json.dumps({"load_average": load, "runs": runs}), file=sys.stderr)
    for page in ("list", "detail"):
        for figure in ("cpu_ms", "wall_ms"):
            medians = {name: statistics.median(run[page][figure] for run in values) for name, values in runs.items()}
            # As throughputs compare: the peer's time over ours (above 1: ours is the faster).
            pairs = zip(runs["ours"], runs["peer"], strict=True)
            ratios = sorted(peer[page][figure] / ours[page][figure] for ours, peer in pairs)
            line = ", ".join(f"{name} {value:.2f}" for name, value in medians.items())
            print(f"{page} {figure} per request: {line}; ours/peer (speed) {statistics.median(ratios):.3f} "
                  f"({ratios[0]:.3f}–{ratios[-1]:.3f})")
    print(f"load average {', '.join(f'{x:.1f}' for x in load[0])} at start, "
          f"{', '.join(f'{x:.1f}' for x in load[1])} at the end")


if __name__ == "__main__":
    main()
