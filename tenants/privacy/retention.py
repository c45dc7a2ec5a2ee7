"""Retention rules, applied per partner by a daily job: what the partner no longer needs is
anonymised (participants) or deleted (uploaded lists never confirmed).

The same `retention_plan` feeds the dry-run report and the real run, so the report lists
exactly what the run changes:

- a participant is anonymised when none of their processes is open and the last one ended
  (closed or cancelled, including by a withdrawn consent) more than N months ago; or, never
  matched, when they left the programme or hold no consent to take part, and neither their
  record nor their consents have changed for N months;
- an uploaded list never confirmed is deleted N days after the upload.
"""
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.jobs.periodic import for_each_partner_workspace
from network.core.tenancy import current_tenant_id
from network.core.tenancy.models import Tenant
from tenants.participants.models import PARTICIPANT_MODELS, ROLES, Consent
from tenants.privacy.erasure import erase_participant, uploaded_lists_past
from tenants.privacy.models import Erasure, PrivacySettings
from tenants.processes.models import OPEN_STATES, MentoringProcess


@dataclass
class RetentionRules:
    months_after_last_process: int
    import_days: int


@dataclass
class RetentionPlan:
    rules: RetentionRules
    participants: list = field(default_factory=list)  # [(participant, last process end or None)]
    imports: list = field(default_factory=list)

    def ids(self):
        """What the run changes, comparable between a dry run and a real one."""
        return {
            "mentor": sorted(p.id for p, _ in self.participants if p.role == "mentor"),
            "mentee": sorted(p.id for p, _ in self.participants if p.role == "mentee"),
            "import": sorted(i.id for i in self.imports),
        }

    @property
    def is_empty(self):
        return not (self.participants or self.imports)


def privacy_settings():
    return db.session.scalar(sa.select(PrivacySettings))


def default_rules():
    config = current_app.config
    return RetentionRules(config["PRIVACY_RETENTION_MONTHS"], config["PRIVACY_IMPORT_RETENTION_DAYS"])


def retention_rules():
    """The partner's rules: its own overrides, else the defaults from the config."""
    settings, defaults = privacy_settings(), default_rules()
    return RetentionRules(
        months_after_last_process=(settings and settings.months_after_last_process)
        or defaults.months_after_last_process,
        import_days=(settings and settings.import_days) or defaults.import_days,
    )


def save_retention_rules(data, actor):
    settings = privacy_settings() or PrivacySettings()
    settings.months_after_last_process = data.get("months_after_last_process")
    settings.import_days = data.get("import_days")
    settings.updated_by_id = actor.id if actor else None
    db.session.add(settings)
    record_event("privacy.settings_changed", actor, settings,
                 changes={"months_after_last_process": settings.months_after_last_process,
                          "import_days": settings.import_days})
    return settings


def months_before(day, months):
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30,
                31, 30, 31][month - 1]
    return date(year, month, min(day.day, last_day))


def _start_of(day):
    return datetime.combine(day, time.min, tzinfo=UTC)


def retention_plan(today=None):
    """What the retention rules change today in the tenant in context."""
    today = today or date.today()
    rules = retention_rules()
    cutoff = months_before(today, rules.months_after_last_process)
    plan = RetentionPlan(rules)
    for role, model in PARTICIPANT_MODELS.items():
        plan.participants += _participants_past(role, model, cutoff)
    plan.imports = uploaded_lists_past(_start_of(today) - timedelta(days=rules.import_days))
    return plan


def _participants_past(role, model, cutoff):
    link = ROLES[role].link(MentoringProcess)
    consent_link, since = ROLES[role].link(Consent), _start_of(cutoff)
    consents = sa.select(Consent.id).where(consent_link == model.id)
    consent_to_take_part = Consent.current_for(model)
    consents_changed_since = consents.where(
        sa.or_(Consent.recorded_at >= since, Consent.withdrawn_at >= since)).exists()
    erased = sa.select(Erasure.id).where(ROLES[role].link(Erasure) == model.id)
    processes = (
        sa.select(link.label("person_id"), sa.func.max(MentoringProcess.closed_on).label("last_end"),
                  sa.func.count().filter(MentoringProcess.state.in_(OPEN_STATES)).label("open_count"))
        .group_by(link).subquery()
    )
    rows = db.session.execute(
        sa.select(model, processes.c.last_end)
        .outerjoin(processes, processes.c.person_id == model.id)
        .where(~erased.exists())
        .where(sa.or_(
            sa.and_(processes.c.open_count == 0, processes.c.last_end < cutoff),
            sa.and_(processes.c.person_id.is_(None), sa.or_(model.status == "left", ~consent_to_take_part),
                    model.updated_at < since, ~consents_changed_since),
        ))
        .order_by(model.id)
    ).all()
    return [(participant, last_end) for participant, last_end in rows]


def apply_retention(today=None, actor=None):
    """Carry out today's plan in the tenant in context; returns the plan it carried out."""
    plan = retention_plan(today)
    reason = _("Retention rule: no open process and no activity for %(months)d months.",
               months=plan.rules.months_after_last_process)
    for participant, _last_end in plan.participants:
        erase_participant(participant, actor, reason, trigger="retention")
    if plan.imports:
        for participant_import in plan.imports:
            db.session.delete(participant_import)
        record_event("privacy.imports_purged", actor, changes={"count": len(plan.imports)})
    db.session.flush()
    return plan


def apply_workspace_retention(day):
    """The job of one partner workspace (run in its tenant, under Row-Level Security)."""
    tenant = db.session.get(Tenant, current_tenant_id())
    if tenant is None or not tenant.active:
        return None
    return apply_retention(date.fromisoformat(day)).ids()


def apply_retention_everywhere(scheduled_for):
    """The periodic job: one retention job per active partner workspace."""
    for_each_partner_workspace(apply_workspace_retention, scheduled_for)
