"""The roll-ups catch up by themselves: with Redis unreachable while partners change things,
or a worker killed in the middle of a recount, the periodic sweep recounts what is stale, and
the figures equal a full `flask rollups rebuild`, with no manual step."""
import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from network.core.extensions import db
from network.core.jobs.periodic import run_periodic_job
from network.core.jobs.runner import AppContextJob, run_job
from network.core.tenancy import tenant_context
from network.national.dashboards.hooks import recount_stale_partners
from network.national.dashboards.models import RollupStatus
from network.national.dashboards.rebuild import rebuild_rollups
from tests.dashboards.history import History, make_network
from tests.dashboards.test_rollups import national_rows, rollup_rows
from tests.factories import make_mentee

# Nothing listens there: Redis is "down" for the app without stopping the shared service.
UNREACHABLE_REDIS = "redis://127.0.0.1:6390/2"



@pytest.fixture
def redis(app, redis_url, monkeypatch):
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    monkeypatch.setitem(app.config, "JOB_RETRY_INTERVALS", ())
    yield connection
    connection.flushdb()


def _run_the_scheduled_sweep(app, redis):
    """What a worker's scheduler does every ROLLUP_SWEEP_INTERVAL: run each periodic job, then
    the jobs they queue."""
    from network.core.jobs.periodic import PERIODIC_JOBS

    slot = datetime.now(UTC).isoformat()
    AppContextJob.app = app
    for periodic in PERIODIC_JOBS.values():
        if periodic.every_setting:  # the sweeps; the daily jobs have nothing to do with roll-ups
            Queue(periodic.queue, connection=redis).enqueue(run_periodic_job, periodic.name, slot)
    queues = [Queue(name, connection=redis) for name in ("default", "mail", "rollups")]
    SimpleWorker(queues, connection=redis, job_class=AppContextJob).work(burst=True)


def _rebuilt(app):
    with app.app_context():
        incremental = rollup_rows(), national_rows()
        rebuild_rollups()
        return incremental, (rollup_rows(), national_rows())


def test_changes_made_while_redis_is_down_are_counted_once_it_is_back(app, redis, redis_url, monkeypatch):
    with app.app_context():
        history = History(make_network(), seed=7)
        rebuild_rollups()
        monkeypatch.setitem(app.config, "REDIS_URL", UNREACHABLE_REDIS)
        for _ in range(20):
            history.step()  # each step commits: its recount cannot be queued
        stale = db.session.scalar(sa.select(sa.func.count()).select_from(RollupStatus)
                                  .where(RollupStatus.stale_mark.is_not(None)))
        assert stale >= 1

    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "ROLLUP_SWEEP_GRACE", 0)
    _run_the_scheduled_sweep(app, redis)

    incremental, rebuilt = _rebuilt(app)
    assert incremental == rebuilt
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RollupStatus)
                                 .where(RollupStatus.stale_mark.is_not(None))) == 0


def test_a_recount_killed_midway_is_done_again_by_the_sweep(app, redis, redis_url, monkeypatch):
    stale_ids = _seed_stale_partners_without_a_queue(app, monkeypatch)
    assert stale_ids

    failures = _run_a_recount_killed_before_it_commits(app)
    assert failures, "the recount should have lost its connection"
    assert _stale(app) == stale_ids  # the failed pass cleared no mark

    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "ROLLUP_SWEEP_GRACE", 0)
    _run_the_scheduled_sweep(app, redis)

    incremental, rebuilt = _rebuilt(app)
    assert incremental == rebuilt


def _seed_stale_partners_without_a_queue(app, monkeypatch):
    with app.app_context():
        network = make_network()
        history = History(network, seed=3)
        rebuild_rollups()
        monkeypatch.setitem(app.config, "REDIS_URL", UNREACHABLE_REDIS)
        for _ in range(10):
            history.step()
        return db.session.scalars(sa.select(RollupStatus.tenant_id)
                                  .where(RollupStatus.stale_mark.is_not(None)).order_by(RollupStatus.tenant_id)).all()


def _stale(app):
    with app.app_context():
        return db.session.scalars(sa.select(RollupStatus.tenant_id).where(RollupStatus.stale_mark.is_not(None))
                                  .order_by(RollupStatus.tenant_id)).all()


def _run_a_recount_killed_before_it_commits(app):
    # The worker's connection dies just before the recount commits (the process was killed).
    victim, ready, killed = {}, threading.Event(), threading.Event()

    def die_before_commit(session):
        if threading.current_thread().name == "recount":
            victim["pid"] = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
            ready.set()
            killed.wait(10)

    failures = []

    def recount():
        try:
            run_job(app, recount_stale_partners, None, (), {})
        except Exception as error:  # the job fails with its connection: expected
            failures.append(error)

    event.listen(Session, "before_commit", die_before_commit)
    try:
        worker = threading.Thread(target=recount, name="recount")
        worker.start()
        assert ready.wait(10)
        with app.app_context(), db.engine.begin() as owner:
            owner.exec_driver_sql(f"SELECT pg_terminate_backend({int(victim['pid'])})")
        killed.set()
        worker.join(30)
    finally:
        event.remove(Session, "before_commit", die_before_commit)
    return failures


def test_many_changes_are_recounted_once_each_partner(app, redis, redis_url, monkeypatch):
    """Coalescing: 30 changes of one partner queue one job while it waits (the first change's);
    its recount serves them all. A change once that job has started queues a new one."""
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    with app.app_context():
        network = make_network(partners=[("lisboa", "municipality", "lisboa")])
        history = History(network, seed=11)
        for _ in range(30):
            history.step()
    queue = Queue("rollups", connection=redis)
    jobs = queue.get_jobs()
    assert len(jobs) == 1
    AppContextJob.app = app
    SimpleWorker([queue], connection=redis, job_class=AppContextJob).work(burst=True)
    assert jobs[0].return_value(refresh=True) == [network.partners[0].id]
    incremental, rebuilt = _rebuilt(app)
    assert incremental == rebuilt

    with app.app_context():
        from network.core.changes import mark_rollups_stale

        mark_rollups_stale(db.session.scalar(sa.select(RollupStatus.tenant_id)))
        db.session.commit()
    assert len(queue.get_jobs()) == 1
    SimpleWorker([queue], connection=redis, job_class=AppContextJob).work(burst=True)
    incremental, rebuilt = _rebuilt(app)
    assert incremental == rebuilt


def _counting_statements(run):
    """Runs `run()`; returns how many statements counted partners from the case tables (an
    INSERT ... SELECT of the roll-up statements, which read the processes)."""
    seen = []

    def count(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("INSERT INTO") and "mentoring_processes" in statement:
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    return len(seen)


def test_every_stale_partner_is_recounted_by_one_job_in_one_pass(app, redis, redis_url, monkeypatch):
    """However many partners changed, one job waits in the queue, and it counts all of them with
    one statement (the rebuild's, restricted to them): the worker's cost is per pass, not per partner."""
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    with app.app_context():
        network = make_network()
        history = History(network, seed=5)
        for _ in range(20):
            history.step()
    stale = _stale(app)
    assert len(stale) >= 3
    queue = Queue("rollups", connection=redis)
    jobs = queue.get_jobs()
    assert len(jobs) == 1
    AppContextJob.app = app
    worker = SimpleWorker([queue], connection=redis, job_class=AppContextJob)
    assert _counting_statements(lambda: worker.work(burst=True)) == 1
    assert jobs[0].return_value(refresh=True) == stale
    assert _stale(app) == []
    incremental, rebuilt = _rebuilt(app)
    assert incremental == rebuilt


def test_a_change_committed_during_a_pass_keeps_its_partner_stale(app, redis, monkeypatch):
    """The pass reads each mark before it counts and clears it only if it is still that one: a
    change committed meanwhile keeps its partner stale, for the next pass (and nothing else does)."""
    stale_ids = _seed_stale_partners_without_a_queue(app, monkeypatch)  # Redis unreachable from here on
    assert len(stale_ids) >= 2
    counted, changed = threading.Event(), threading.Event()

    def hold_before_counting(connection, cursor, statement, parameters, context, executemany):
        if threading.current_thread().name == "pass" and statement.startswith("CREATE TEMPORARY TABLE"):
            counted.set()
            changed.wait(10)

    results = []
    event.listen(Engine, "before_cursor_execute", hold_before_counting)
    try:
        recount = threading.Thread(target=lambda: results.append(run_job(app, recount_stale_partners, None, (), {})),
                                   name="pass")
        recount.start()
        assert counted.wait(10)
        with app.app_context(), tenant_context(stale_ids[0]):
            make_mentee("Chegou Durante", email="durante@example.pt")
            db.session.commit()
        changed.set()
        recount.join(30)
    finally:
        event.remove(Engine, "before_cursor_execute", hold_before_counting)
    assert results == [stale_ids]
    assert _stale(app) == [stale_ids[0]]
    assert run_job(app, recount_stale_partners, None, (), {}) == [stale_ids[0]]
    assert _stale(app) == []
    incremental, rebuilt = _rebuilt(app)
    assert incremental == rebuilt

