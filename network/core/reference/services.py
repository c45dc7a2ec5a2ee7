from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from network.core.extensions import db
from network.core.reference.models import Company, SupportArea


def active_support_areas():
    return db.session.scalars(
        db.select(SupportArea).where(SupportArea.active.is_(True)).order_by(SupportArea.position, SupportArea.id)
    ).all()


def support_areas_by_code(codes=None):
    query = db.select(SupportArea).where(SupportArea.active.is_(True))
    if codes is not None:
        query = query.where(SupportArea.code.in_(list(codes)))
    return {area.code: area for area in db.session.scalars(query)}


def add_support_area(code, name_pt, name_en):
    """The coordination team extends the shared list; existing codes never change meaning."""
    if db.session.scalar(db.select(SupportArea.id).where(SupportArea.code == code)) is not None:
        raise ValidationError({"code": [_l("This code is already used by another support area.")]})
    last = db.session.scalar(db.select(db.func.max(SupportArea.position))) or 0
    area = SupportArea(code=code, name_pt=name_pt, name_en=name_en, position=last + 1)
    db.session.add(area)
    db.session.flush()
    return area


def companies():
    return db.session.scalars(db.select(Company).order_by(Company.active.desc(), Company.name)).all()


def company_choices():
    """The mentor form's options: companies that left the network stay listed (marked), so a
    volunteer already linked to one keeps the link; the services refuse new links to them."""
    return [(str(company.id), company.name if company.active else gettext("%(name)s (inactive)", name=company.name))
            for company in companies()]


def _check_company_name_free(name, exclude_id=None):
    query = db.select(Company.id).where(db.func.lower(Company.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Company.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise ValidationError({"name": [_l("A company with this name already exists.")]})


def create_company(name, contact_name=None, contact_email=None):
    _check_company_name_free(name)
    company = Company(name=name, contact_name=contact_name, contact_email=contact_email)
    db.session.add(company)
    db.session.flush()
    return company


def update_company(company, data):
    """Change a company's name, contact or active flag (an inactive company gets no new volunteers)."""
    _check_company_name_free(data["name"], exclude_id=company.id)
    for field in ("name", "contact_name", "contact_email", "active"):
        setattr(company, field, data[field])
