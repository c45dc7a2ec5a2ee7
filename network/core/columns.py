"""Column types the models share."""
import sqlalchemy as sa


def choice_type(values, name, length):
    """A closed list of codes, stored as VARCHAR(length) with a CHECK constraint (not a native
    ENUM: adding a code is then a constraint change, not an ALTER TYPE)."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)
