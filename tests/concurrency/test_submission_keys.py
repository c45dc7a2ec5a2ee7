"""One-time submission keys are kept only as long as a second request could come."""
from datetime import timedelta

import sqlalchemy as sa

from network.core.extensions import db
from network.core.submit import SubmissionKey, purge_old_submission_keys
from network.core.tenancy import tenant_context
from network.core.timeutil import utcnow


def test_the_daily_sweep_forgets_old_keys_in_every_workspace_and_keeps_recent_ones(app_context, two_partners):
    from network.core.accounts.models import User

    user_id = db.session.scalar(sa.select(User.id).where(User.email == two_partners.alpha_staff))
    now = utcnow()
    for tenant_id in (None, two_partners.alpha.id, two_partners.beta.id):
        with tenant_context(tenant_id):
            for key, age in (("old", timedelta(days=3)), ("recent", timedelta(hours=1))):
                db.session.add(SubmissionKey(tenant_id=tenant_id, user_id=user_id, key=key, created_at=now - age))
            db.session.flush()
    db.session.commit()

    assert purge_old_submission_keys() == 3
    db.session.commit()
    for tenant_id in (None, two_partners.alpha.id, two_partners.beta.id):
        with tenant_context(tenant_id):
            kept = sa.select(SubmissionKey.key).where(SubmissionKey.tenant_id.is_not_distinct_from(tenant_id))
            assert db.session.scalars(kept).all() == ["recent"]
