"""Disclosure control: every count of people a national coordinator reads passes through here.

The policy, the method and why are in `docs/disclosure.md`. In short:

- `k` (`SMALL_CELL_THRESHOLD`, default 5, never below `MIN_THRESHOLD`): no coordinator may
  learn that a count of people is between 1 and k - 1, from one figure or from any linear
  combination of every figure they can read.
- Method: one base of published counts. Each roll-up row (one partner, month, metric and, for
  the mentee tables, the mentee's whole profile) keeps its exact `count` and a `published`
  count: the exact count rounded to a multiple of the rounding base `b = k + 1`, up with
  probability (count mod b) / b, else down, the draw being a keyed hash of the row's identity
  (the key is a secret of the database, `disclosure_key`). Every published figure, on every
  surface and for every filter, is a sum of published rows, never of exact ones: the figures a
  coordinator can read are all consistent with one table of counts (the published one) in
  which any count of 1 to k - 1 people is at least b > k - 1 or is 0 with room up to b - 1 = k.
- `flask disclosure audit` (`network.national.disclosure.audit`) checks that claim with a linear
  programme over every view the interface offers.
"""
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import FunctionElement

from network.core.extensions import db

DEFAULT_THRESHOLD = 5
MIN_THRESHOLD = 3


def check_threshold(value):
    """The configured k, refused below MIN_THRESHOLD (the app does not start)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < MIN_THRESHOLD:
        raise RuntimeError(f"SMALL_CELL_THRESHOLD must be an integer of at least {MIN_THRESHOLD} "
                           f"(docs/disclosure.md); it is {value!r}.")
    return value


def threshold():
    return check_threshold(current_app.config["SMALL_CELL_THRESHOLD"])


def rounding_base(k=None):
    """b = k + 1: a count of 1 to k - 1 people published as 0 may be as large as b - 1 = k, and
    one published as b (or more) is at least k + 1 - (b - 1) = 1: neither says "fewer than k"."""
    return (threshold() if k is None else check_threshold(k)) + 1


class DisclosureKey(db.Model):
    """One row: the secret of the keyed rounding, drawn by the migration, read by the roll-up
    statements. Network-level, never shown (knowing it would tell which way each count went)."""

    __tablename__ = "disclosure_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    secret: Mapped[str] = mapped_column(sa.String(64))


class keyed_rounding(FunctionElement):
    """`keyed_rounding(count, cell, base)`: `count` rounded to a multiple of `base`, up with
    probability (count mod base) / base, the draw a hash of the key and `cell` (the row's
    identity as text), so the same row always gets the same published count."""

    type = sa.BigInteger()
    name = "keyed_rounding"
    inherit_cache = True


@compiles(keyed_rounding, "postgresql")
def _keyed_rounding_postgresql(element, compiler, **kw):
    count, cell, base = (compiler.process(clause, **kw) for clause in element.clauses.clauses)
    # An uncorrelated subquery: PostgreSQL reads the key once per statement.
    # mod(), not "%": the statement also runs through drivers that read "%" as a placeholder.
    draw = (f"mod(mod(hashtextextended((SELECT secret FROM disclosure_key) || '|' || {cell}, 0), {base}) + {base}, "
            f"{base})")
    remainder = f"mod({count}, {base})"
    # No key (a table emptied by mistake): NULL, which the NOT NULL columns refuse, rather than
    # every count silently rounded down.
    return (f"(({count}) - {remainder} + CASE WHEN {draw} IS NULL THEN NULL WHEN {remainder} > {draw} THEN {base} "
            "ELSE 0 END)")


def published_sql(count, cell, base):
    """The published count of an exact `count` (SQL), for the row whose identity is `cell` (SQL text)."""
    return keyed_rounding(count, cell, sa.literal_column(str(int(base)), sa.Integer))
