"""The embedded PostgreSQL server (network.core.embedded_postgres) never outlives the process that
started it, however that process ends."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from config import PROJECT_ROOT

# A process that starts a server in the folder given, says so, and waits to be ended.
SERVE = """
import sys, time
from network.core.embedded_postgres import EmbeddedPostgres
server = EmbeddedPostgres(sys.argv[1])
url = server.start()
print(server.pid, url, flush=True)
time.sleep(120)
"""


def _postmasters_of(data_dir):
    """The pids of live processes whose command line names `data_dir`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                arguments = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if str(data_dir).encode() in arguments and b"postgres" in arguments[0]:
                found.append(int(entry.name))
    return found


def _gone(data_dir, within=20):
    deadline = time.monotonic() + within
    while _postmasters_of(data_dir) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _postmasters_of(data_dir)


def _start(data_dir):
    process = subprocess.Popen([sys.executable, "-c", SERVE, str(data_dir)], cwd=PROJECT_ROOT, text=True,
                               stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    pid, url = process.stdout.readline().split()
    with psycopg.connect(url) as connection:
        assert connection.execute("SELECT current_setting('server_version_num')::int").fetchone()[0] >= 150000
    assert _postmasters_of(data_dir) == [int(pid)]
    return process


@pytest.mark.parametrize("ending", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL],
                         ids=lambda ending: ending.name)
def test_no_postmaster_outlives_the_process_that_started_it(tmp_path, ending):
    data_dir = tmp_path / "postgres"
    process = _start(data_dir)
    process.send_signal(ending)  # Ctrl-C, a service manager, a closed terminal, the OOM killer
    process.wait(30)
    assert _gone(data_dir)


def test_a_second_process_uses_the_running_server_and_leaves_it_running(tmp_path):
    from network.core.embedded_postgres import EmbeddedPostgres

    data_dir = tmp_path / "postgres"
    process = _start(data_dir)
    try:
        second = EmbeddedPostgres(data_dir)
        with psycopg.connect(second.start()) as connection:
            connection.execute("SELECT 1")
        second.stop()
        assert len(_postmasters_of(data_dir)) == 1
    finally:
        process.terminate()
        process.wait(30)
    assert _gone(data_dir)

