"""`python -m tests.jobs.dying_worker MARKER`: `flask worker --burst` whose first delivery
kills the job's process right after the e-mail is written, before the outbox records it:
the worker dying at the worst moment."""
import os
import signal
import sys
from pathlib import Path

from network.core.mail import backends

MARKER = Path(sys.argv[1])
deliver_to_file = backends.BACKENDS["file"]


def deliver_then_die_once(email):
    deliver_to_file(email)
    if not MARKER.exists():
        MARKER.touch()
        os.kill(os.getpid(), signal.SIGKILL)


backends.BACKENDS["file"] = deliver_then_die_once

if __name__ == "__main__":
    from flask.cli import main

    sys.argv = ["flask", "worker", "--burst"]
    main()
