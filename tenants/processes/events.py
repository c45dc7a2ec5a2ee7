"""The one function every process change goes through: it writes the timeline event
that the national roll-ups are computed from."""
from network.core.changes import mark_rollups_stale
from network.core.extensions import db
from tenants.processes.models import ProcessEvent


def record_process_event(process, kind, actor=None, from_state=None, to_state=None, **details):
    event = ProcessEvent(
        process=process,
        kind=kind,
        actor_id=actor.id if actor is not None else None,
        from_state=from_state,
        to_state=to_state,
        details=details or None,
    )
    db.session.add(event)
    mark_rollups_stale()
    return event
