"""A real gunicorn serving the app on a free loopback port, and a bare HTTP/1.1 client on one
socket: what the test client cannot show (keep-alive connections, a worker killed for taking
too long) shows here.

The server reads the test database (TEST_DATABASE_URL), so rows a test commits are what it
serves. It runs gthread workers with keep-alive, as production does, and a short worker
timeout, so a request that holds its worker too long gets the worker killed, visibly.
"""
import contextlib
import os
import re
import socket
import subprocess
import sys
from contextlib import contextmanager
from urllib.parse import urlencode

from bench.servers import wait_for_port
from config import PROJECT_ROOT

WORKER_TIMEOUT = 10


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(database_url, log_path, workers=1, threads=2):
    """One gunicorn with `workers` gthread workers; yields (port, process). Stopped by its pid."""
    port = free_port()
    environment = {**os.environ, "APP_ENV": "testing", "TEST_DATABASE_URL": database_url,
                   "PYTHONPATH": str(PROJECT_ROOT)}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "gthread",
               "--threads", str(threads),
               "--keep-alive", "5", "--timeout", str(WORKER_TIMEOUT), "--graceful-timeout", "2", "--no-control-socket",
               "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=log)
    try:
        wait_for_port(process, port, log_path)
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def worker_pids(master_pid):
    """The pids of a gunicorn master's workers (from /proc: a killed worker is replaced by a new pid)."""
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            pids.add(int(entry))
    return pids


def multipart(fields, files):
    """A multipart/form-data body and its content type: `files` maps a field to (filename, bytes)."""
    boundary = "----rede-mentores-test-boundary"
    body = b""
    for name, value in fields.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    for name, (filename, data) in files.items():
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def closes(self):
        return self.headers.get("connection", "").lower() == "close"

    def cookies(self):
        return dict(re.match(r"([^=]+)=([^;]*)", value).groups() for value in self.headers.get_all("set-cookie"))


class _Headers(dict):
    def __init__(self):
        super().__init__()
        self.all = []

    def get_all(self, name):
        return [value for key, value in self.all if key == name]


class Connection:
    """HTTP/1.1 on one socket, never reopened: a request the server leaves unanswered times out
    (generously: the machine running the tests may be busy)."""

    def __init__(self, port, timeout=30):
        self.port = port
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""
        self.cookies = {}

    def close(self):
        self.socket.close()

    def request(self, method, path, form=None, body=None, content_type="application/x-www-form-urlencoded",
                announced_length=None):
        """One request and its response; `announced_length` claims a longer body than is sent."""
        if form is not None:
            body = urlencode(form).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Accept-Language: en"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{name}={value}" for name, value in self.cookies.items()))
        if body is not None:
            lines += [f"Content-Type: {content_type}", f"Content-Length: {announced_length or len(body)}"]
        # A server may answer (413) and close before reading a body it refuses.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.socket.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        response = self._read_response()
        self.cookies.update(response.cookies())
        return response

    def _fill(self):
        chunk = self.socket.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def _read_response(self):
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = _Headers()
        for line in header_lines:
            name, value = line.split(":", 1)
            headers.all.append((name.strip().lower(), value.strip()))
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                while b"\r\n" not in self.buffer:
                    self._fill()
                size_line, self.buffer = self.buffer.split(b"\r\n", 1)
                size = int(size_line.split(b";")[0], 16)
                while len(self.buffer) < size + 2:
                    self._fill()
                body += self.buffer[:size]
                self.buffer = self.buffer[size + 2:]
                if size == 0:
                    break
        else:
            length = int(headers.get("content-length", "0"))
            while len(self.buffer) < length:
                self._fill()
            body, self.buffer = self.buffer[:length], self.buffer[length:]
        return Response(int(status_line.split()[1]), headers, body)

    def is_closed_by_server(self):
        """True when the server has closed its side (what a `Connection: close` promises)."""
        try:
            return self.socket.recv(1) == b""
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
