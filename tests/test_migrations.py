"""`flask db upgrade` builds exactly the schema the models describe."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from network.core.database import owner_engine
from network.core.extensions import db


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migrations_match_the_models(app_context):
    with owner_engine().connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    # The functional unique index on lower(email) is invisible to autogenerate.
    differences = [d for d in differences if not (d[0] == "remove_index" and d[1].name == "uq_users_email_lower")]
    assert differences == []
