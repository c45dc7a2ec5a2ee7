"""Background work: one enqueue function, one runner, one worker command.

`enqueue(func, *args, queue=..., tenant_id=..., **kwargs)` puts the job on an RQ queue when
`REDIS_URL` is set; without it (the embedded default) the job runs at once, in-process,
through the same runner, so both paths behave alike: a fresh app context, the given tenant
in context (scoping and Row-Level Security apply), one unit of work. `flask worker` runs the
RQ workers; `network.core.jobs.periodic` lists the scheduled work.
"""
from network.core.jobs.queueing import QUEUES, JobsUnavailable, enqueue  # noqa: F401
