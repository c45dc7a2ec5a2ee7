"""`flask rollups rebuild`, and the Redis cache of the assembled dashboard."""
from redis import Redis

from network.national.dashboards import cache
from network.national.dashboards.rollups import current_month
from network.national.dashboards.services import PARTNER_ORDER, Filters, dashboard_data
from tests.dashboards.history import History, make_network
from tests.dashboards.test_rollups import national_rows, rollup_rows


def test_the_rebuild_command_recounts_everything_with_a_progress_bar(app, app_context):
    network = make_network()
    history = History(network, 21)
    for _ in range(40):
        history.step()
    before, before_national = rollup_rows(), national_rows()
    result = app.test_cli_runner().invoke(args=["rollups", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Rebuilding roll-ups" in result.output and "roll-up rows in" in result.output
    assert rollup_rows() == before and national_rows() == before_national


def test_the_dashboard_is_cached_per_filter_and_a_rebuild_invalidates_it(app, app_context, redis_url):
    network = make_network()
    history = History(network, 4)
    for _ in range(30):
        history.step()
    connection = Redis.from_url(redis_url)
    for key in connection.scan_iter("dashboards:*"):
        connection.delete(key)
    app.config["REDIS_URL"] = redis_url
    try:
        filters = Filters("2025-01", current_month())
        first = dashboard_data(filters)
        assert list(connection.scan_iter("dashboards:national:*"))
        calls = []
        again = cache.cached(None, {"filters": filters.as_dict(), "threshold": 5, "rows": 50, "listed": 200,
                                    "order": PARTNER_ORDER},
                             lambda: calls.append(1))
        assert again == first and calls == []  # served from Redis
        cache.bump_generation(None)  # what a rebuild does
        cache.cached(None, {"filters": filters.as_dict(), "threshold": 5, "rows": 50, "listed": 200,
                                    "order": PARTNER_ORDER},
                     lambda: calls.append(1))
        assert calls == [1]
    finally:
        app.config["REDIS_URL"] = None
        for key in connection.scan_iter("dashboards:*"):
            connection.delete(key)
