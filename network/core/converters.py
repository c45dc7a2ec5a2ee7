"""URL converters. `<id:name>`: a database id; anything else (text, 0, too large) is a 404."""
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest INTEGER primary key on PostgreSQL


class IdConverter(IntegerConverter):
    def __init__(self, map):
        super().__init__(map, min=1, max=MAX_ID)


def init_app(app):
    app.url_map.converters["id"] = IdConverter
