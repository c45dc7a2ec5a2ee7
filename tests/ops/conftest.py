"""Throwaway servers for the operations tests: PostgreSQL clusters (tests/ops/pgcluster.py)
and a Redis server, on free loopback ports, stopped when the module ends."""
import shutil
import socket
import subprocess
import time

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.ops import pgcluster


def _missing(what):
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is needed for the operations tests")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def clusters():
    if not pgcluster.available():
        _missing(f"PostgreSQL's server binaries ({pgcluster.PG_BIN})")
    servers = pgcluster.Clusters()
    yield servers
    servers.stop_all()


class RedisServer:
    def __init__(self):
        self.port = pgcluster.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        raise AssertionError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        _missing("redis-server")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def silent_port():
    """A port that accepts connections (the kernel completes the handshake) and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()
