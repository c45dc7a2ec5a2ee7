"""What the benchmarks and the tests that start a gunicorn share: waiting until it listens."""
import socket
import time

START_SECONDS = 60


def wait_for_port(process, port, log_path, seconds=START_SECONDS):
    """Return once something accepts connections on 127.0.0.1:`port`; raise RuntimeError,
    naming `log_path`, when `process` exits first or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError as error:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start on port {port}: see {log_path}") from error
            time.sleep(0.1)
