"""Column types and mixins the models share."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def choice_type(values, name, length):
    """A closed list of codes, stored as VARCHAR(length) with a CHECK constraint (not a native
    ENUM: adding a code is then a constraint change, not an ALTER TYPE)."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


class Versioned:
    """A record people edit through a form or PUT: every UPDATE checks and bumps `row_version`
    (SQLAlchemy's `version_id_col`), so of two saves from the same version the second changes
    nothing (`StaleDataError`, a `StaleEdit` in `network.core.submit`), and forms carry the version
    they were opened on (`submit.check_version`)."""

    row_version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.row_version}
