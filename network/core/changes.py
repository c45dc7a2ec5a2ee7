"""The one call case code makes when something the national roll-ups count has changed:
`mark_rollups_stale()`. The roll-ups belong to the roof (`network.national.dashboards.hooks`
marks the partner stale in the same transaction and recounts it after the commit); the roof
registers that marker here when the app is built, so the features below never import it."""

_markers = []


def register_stale_marker(marker):
    """Called once by the roof at import: `marker(tenant_id)` runs on every change."""
    if marker not in _markers:
        _markers.append(marker)
    return marker


def mark_rollups_stale(tenant_id=None):
    """The partner in context (or `tenant_id`) changed something the roll-ups count."""
    if not _markers:
        # Fail loudly: a change the dashboards never hear about would leave them wrong for good.
        raise RuntimeError("no roll-up marker registered: build the app (network.national.app.create_app) first")
    for marker in _markers:
        marker(tenant_id)
