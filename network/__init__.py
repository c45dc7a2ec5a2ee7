"""Rede Mentores: the platform of Portugal's national Mentoring Programme for Migrants.

Three floors, imports only downward (docs/CONTRIBUTING.md, tests/test_architecture.py):
`network.core` (what everything stands on), `tenants` (one package per feature of a partner's
workspace) and `network.national` (coordination, dashboards, the API and the app factory,
`network.national.app.create_app`). The shared templates and static files stay here, in the
app's root folder; the migrations in `network/migrations` belong to the core floor."""
