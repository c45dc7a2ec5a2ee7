"""50 users at once (issue 20): staff writing while the others read, and the process pages
against the naive peer (`bench.peer`) under the same load.

- `writers(...)`: some of the users register mentees one after the other (the writers of
  `bench.writes`, each from an address of its own) while the mixed read load runs beside them;
  their answers are summarised like the reads' (errors, response times).
- `peer_under_load(...)`: the users on the list and detail pages, ours and the peer's, served
  side by side and loaded in turn (ours, peer, peer, ours, …), 0 errors expected of both.
"""
import os
import threading
from contextlib import ExitStack, contextmanager

from bench import generate as generator
from bench import load
from bench.stats import summarize

WRITERS = 10  # of the 50 users: staff registering mentees while the others read
PEER_ROUNDS = 2


@contextmanager
def each_user_from_own_address():
    """The servers started inside trust one proxy's X-Forwarded-For, so each simulated user has an
    address of its own (as in production behind nginx) and no user's rate limits are another's."""
    previous = os.environ.get("TRUSTED_PROXIES")
    os.environ["TRUSTED_PROXIES"] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TRUSTED_PROXIES")
        else:
            os.environ["TRUSTED_PROXIES"] = previous


def writers(url, port, stop, answers, staff_email):
    """WRITERS threads (not started), each a staff member of its own partner registering mentees
    until `stop`; each answer is appended to `answers` as (writer, finished at, status, refusal)."""
    from bench import writes

    chosen = writes.partners(url, WRITERS)
    people = [writes.sign_in(port, 200 + index, staff_email(slug)) for index, (_id, slug) in enumerate(chosen)]
    return [threading.Thread(target=writes.write_for, args=(person, index, slug, index, stop, answers), daemon=True)
            for index, (person, (_id, slug)) in enumerate(zip(people, chosen, strict=True))]


def write_summary(answers, started_at):
    """Errors (any answer but the redirect after saving) and response times: the time between one
    writer's consecutive answers (it sends the next form as soon as it has the last answer)."""
    by_writer = {}
    for writer, finished_at, status, _refusal in answers:
        by_writer.setdefault(writer, []).append((finished_at, status))
    latencies = []
    for finished in by_writer.values():
        times = [started_at] + [at for at, _status in sorted(finished)]
        latencies += [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    errors = [f"{status}: {refusal}"[:200] for _w, _at, status, refusal in answers if status != 302]
    data = summarize(latencies)
    data.update({"requests": len(answers), "errors": len(errors), "error_samples": errors[:5]})
    return data


def peer_under_load(url, redis_url, gunicorn, paths, email, users, seconds):
    """{"ours": [summary per round], "peer": [...]}: `users` clients on `paths` for `seconds`,
    on our server and the peer's in turn (the order reversed every other round)."""
    rounds = {"ours": [], "peer": []}
    with ExitStack() as stack, each_user_from_own_address():
        servers = {}
        for name, module in (("ours", "wsgi:app"), ("peer", "bench.peer:peer_app()")):
            port = stack.enter_context(gunicorn(module))
            servers[name] = load.login(port, email, generator.BENCH_PASSWORD)
        for number in range(PEER_ROUNDS):
            for name, session in list(servers.items())[::1 if number % 2 == 0 else -1]:
                rounds[name].append(load.run([(session, path) for path in paths], users, seconds).summary())
    return rounds
