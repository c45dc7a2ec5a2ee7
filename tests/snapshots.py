"""Rows that take long to build, built once per test session.

The demo network takes a minute to seed and the dashboards' history network several seconds;
many tests read one of them and change nothing that matters to the next. The first test that
asks builds the rows and keeps a copy of every table (COPY … TO STDOUT, binary, as the tables'
owner); a later test, after the usual emptying, gets the same rows back by COPY … FROM STDIN
in a fraction of a second, with the same ids, and the sequences moved past them. Under
`pytest -n` each worker keeps its own copies, of its own database.
"""
import sqlalchemy as sa

from network.core.database import owner_engine
from network.core.extensions import db


class Snapshots:
    def __init__(self, app):
        self.app = app
        self.saved = {}

    def build_once(self, name, build):
        """`build()` (which commits) on first use, else the rows it wrote put back; returns
        what `build()` returned (plain data: ids, e-mails, slugs — never ORM objects)."""
        if name in self.saved:
            value, tables = self.saved[name]
            self._restore(tables)
            return value
        value = build()
        self.saved[name] = (value, self._capture())
        return value

    def _tables(self):
        seeded = self.app.extensions["seeded_rows"]
        for table in db.metadata.sorted_tables:  # parents before children, for the foreign keys
            # The migrations' reference rows stay in place between tests: only rows added after them.
            yield table.name, (f" WHERE id > {int(seeded[table.name])}" if table.name in seeded else "")

    def _capture(self):
        tables = []
        with self.app.app_context(), owner_engine().connect() as connection:
            cursor = connection.connection.driver_connection.cursor()
            for name, where in self._tables():
                if not connection.exec_driver_sql(f"SELECT EXISTS (SELECT FROM {name}{where})").scalar():
                    continue
                with cursor.copy(f"COPY (SELECT * FROM {name}{where}) TO STDOUT (FORMAT binary)") as copy:
                    tables.append((name, b"".join(bytes(block) for block in copy)))
            connection.rollback()
        return tables

    def _restore(self, tables):
        with self.app.app_context():
            with owner_engine().begin() as connection:
                cursor = connection.connection.driver_connection.cursor()
                for name, rows in tables:
                    with cursor.copy(f"COPY {name} FROM STDIN (FORMAT binary)") as copy:
                        copy.write(rows)
                    if "id" in db.metadata.tables[name].c:  # a test's next row gets a fresh id, as after the build
                        connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence(:name, 'id'), max(id)) "
                                                   f"FROM {name}"), {"name": name})
            db.session.remove()
