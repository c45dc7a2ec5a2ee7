from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from network.core.extensions import db
from network.core.tenancy.models import Tenant


def create_tenant(name, slug, kind, district, default_locale="pt_PT", active=True):
    if db.session.scalar(db.select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise ValidationError({"slug": [_l("This address is already used by another partner.")]})
    tenant = Tenant(name=name, slug=slug, kind=kind, district=district, default_locale=default_locale, active=active)
    db.session.add(tenant)
    db.session.flush()
    return tenant
