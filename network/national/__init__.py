"""The roof: the national coordination pages, dashboards and roll-ups, disclosure control, the
REST API and the app factory (`network.national.app.create_app`) that assembles every floor."""
