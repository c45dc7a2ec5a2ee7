"""A small HTTP load driver: threads with keep-alive `http.client` connections, against
127.0.0.1 only and bounded in time. Enough for ratios measured side by side; no dependency."""
import http.client
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench.stats import summarize

HOST = "127.0.0.1"
USER_AGENT = "rede-mentores-bench/1"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Session:
    """A logged-in browser: the cookie header every request sends."""

    port: int
    cookie: str = ""

    def connection(self):
        return http.client.HTTPConnection(HOST, self.port, timeout=30)

    def headers(self):
        headers = {"User-Agent": USER_AGENT, "Accept-Language": "en"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        return headers

    def _remember(self, response):
        cookies = dict(part.split("=", 1) for part in self.cookie.split("; ") if "=" in part)
        for header in response.headers.get_all("Set-Cookie") or ():
            name, value = header.split(";", 1)[0].split("=", 1)
            cookies[name] = value
        self.cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())


def login(port, email, password):
    """Log in through the real form (CSRF token included); returns the Session."""
    session = Session(port)
    connection = session.connection()
    connection.request("GET", "/login", headers=session.headers())
    response = connection.getresponse()
    page = response.read().decode()
    session._remember(response)
    match = _CSRF.search(page)
    body = urlencode({"email": email, "password": password, **({"csrf_token": match.group(1)} if match else {})})
    headers = {**session.headers(), "Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", "/login", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"login of {email} failed: HTTP {response.status}")
    session._remember(response)
    connection.close()
    return session


@dataclass
class Result:
    latencies: list = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    error_samples: list = field(default_factory=list)
    seconds: float = 0.0

    def summary(self):
        data = summarize(self.latencies)
        data.update({"errors": self.errors, "requests": len(self.latencies) + self.errors,
                     "throughput": round(len(self.latencies) / self.seconds, 1) if self.seconds else 0.0,
                     "error_samples": self.error_samples[:5]})
        return data


def run(targets, clients, seconds, warmup=1.0):
    """`clients` threads for `seconds`, each cycling through `targets`: (session, path) pairs
    picked round-robin with a per-thread offset. Counts every non-200 as an error."""
    result, lock = Result(), threading.Lock()
    start_at = time.monotonic() + warmup
    stop_at = start_at + seconds

    def client(offset):
        connections, index = {}, offset
        latencies, errors, samples = [], 0, []
        while True:
            now = time.monotonic()
            if now >= stop_at:
                break
            session, path = targets[index % len(targets)]
            index += 1
            connection = connections.get(session.port) or connections.setdefault(session.port, session.connection())
            began = time.monotonic()
            try:
                connection.request("GET", path, headers=session.headers())
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connections.pop(session.port)
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connections.pop(session.port, None)
                status = repr(error)
            elapsed = time.monotonic() - began
            if began < start_at:
                continue
            if status == 200:
                latencies.append(elapsed)
            else:
                errors += 1
                if len(samples) < 5:
                    samples.append(f"{path}: {status}")
        for connection in connections.values():
            connection.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            result.error_samples.extend(samples)

    threads = [threading.Thread(target=client, args=(offset,), daemon=True) for offset in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + warmup + 60)
    result.seconds = seconds
    return result
