"""What the benchmarks and the tests that start a gunicorn share: waiting until it serves."""
import http.client
import time

START_SECONDS = 120


def wait_for_port(process, port, log_path, seconds=START_SECONDS):
    """Return once a worker answers HTTP on 127.0.0.1:`port` (any status: the master listens
    before its workers have loaded the app, long on a busy machine, and a first request would
    wait in the backlog for them); raise RuntimeError, naming `log_path`, when `process` exits
    first or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=max(1.0, deadline - time.monotonic()))
        try:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except (OSError, http.client.HTTPException) as error:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start on port {port}: see {log_path}") from error
            time.sleep(0.1)
        finally:
            connection.close()
