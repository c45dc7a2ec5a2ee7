"""Suggestions: eligible candidates loaded in a few set-based queries, scored in Python."""
from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from network.core.extensions import db
from network.core.reference.models import SupportArea
from tenants.matching.eligibility import consented, mentor_eligibility
from tenants.matching.models import CRITERIA, DEFAULT_MAX_MENTEES_PER_MENTOR, DEFAULT_WEIGHTS, MatchingSettings
from tenants.matching.prefilter import candidate_links, candidate_rows
from tenants.matching.scoring import Profile, rank
from tenants.participants.models import (
    GENDERS,
    Mentee,
    MenteeLanguage,
    MenteeSupportArea,
    Mentor,
    MentorLanguage,
    MentorSupportArea,
)
from tenants.participants.reference import language_name
from tenants.processes.models import OPEN_STATES, MentoringProcess
from tenants.processes.services import ProcessRefused, create_process, lock_pair


def matching_settings():
    """The current tenant's settings, or unsaved defaults."""
    settings = db.session.scalar(sa.select(MatchingSettings))
    return settings or MatchingSettings(**{f"weight_{c}": w for c, w in DEFAULT_WEIGHTS.items()},
                                        max_mentees_per_mentor=DEFAULT_MAX_MENTEES_PER_MENTOR)


def save_matching_settings(data):
    settings = db.session.scalar(sa.select(MatchingSettings))
    if settings is None:
        settings = MatchingSettings()
        db.session.add(settings)
    for key, value in data.items():
        setattr(settings, key, value)
    db.session.flush()
    return settings


def _open_counts(column, ids=None):
    query = sa.select(column, sa.func.count()).where(MentoringProcess.state.in_(OPEN_STATES)).group_by(column)
    if ids is not None:
        query = query.where(column.in_(ids))
    return dict(db.session.execute(query).all())


def _slots(days, periods):
    return frozenset((day, period) for day in days or () for period in periods or ())


def _profiles(rows, area_rows, language_rows, open_counts):
    areas, languages = defaultdict(dict), defaultdict(dict)
    for owner_id, area_id, area_rank in area_rows:
        areas[owner_id][area_id] = area_rank
    for owner_id, code, level in language_rows:
        languages[owner_id][code] = level
    return [
        Profile(
            id=row.id, name=row.full_name, municipality=row.municipality or "", areas=areas[row.id],
            languages=languages[row.id], slots=_slots(row.availability_days, row.availability_periods),
            gender=row.gender, preferred_gender=getattr(row, "preferred_mentor_gender", None),
            open_processes=open_counts.get(row.id, 0),
        )
        for row in rows
    ]


def _mentor_links(ids):
    """(support area rows, language rows) of the mentors `ids` (a subquery of ids)."""
    area_rows = db.session.execute(
        sa.select(MentorSupportArea.mentor_id, MentorSupportArea.support_area_id, sa.literal(1))
        .where(MentorSupportArea.mentor_id.in_(ids))
    ).all()
    language_rows = db.session.execute(
        sa.select(MentorLanguage.mentor_id, MentorLanguage.language_code, MentorLanguage.level)
        .where(MentorLanguage.mentor_id.in_(ids))
    ).all()
    return area_rows, language_rows


def eligible_mentors(max_mentees, *conditions):
    """Profiles of every eligible mentor with room for another mentee (and `conditions`): what
    `scoring` ranks for the reference result, which the tests and benchmarks compare
    `suggest_mentors` with, and what batch matching and the mentees' choice read."""
    load = _open_counts(MentoringProcess.mentor_id)
    eligible = (*mentor_eligibility(), *conditions)
    rows = db.session.execute(
        sa.select(Mentor.id, Mentor.full_name, Mentor.municipality, Mentor.availability_days,
                  Mentor.availability_periods, Mentor.gender).where(*eligible)
    ).all()
    rows = [row for row in rows if load.get(row.id, 0) < max_mentees]
    # The same filter as a subquery, not a list of ids: thousands of bound ids cost more to
    # send and plan than the rows of the few mentors with no room left.
    return _profiles(rows, *_mentor_links(sa.select(Mentor.id).where(*eligible)), load)


def eligible_mentees():
    """Mentees waiting for a mentor, with current consent."""
    rows = db.session.execute(
        sa.select(Mentee.id, Mentee.full_name, Mentee.municipality, Mentee.availability_days,
                  Mentee.availability_periods, Mentee.gender, Mentee.preferred_mentor_gender)
        .where(Mentee.status == "waiting", consented(Mentee))
    ).all()
    ids = [row.id for row in rows]
    area_rows = db.session.execute(
        sa.select(MenteeSupportArea.mentee_id, MenteeSupportArea.support_area_id, MenteeSupportArea.rank)
        .where(MenteeSupportArea.mentee_id.in_(ids))
    ).all() if ids else []
    language_rows = db.session.execute(
        sa.select(MenteeLanguage.mentee_id, MenteeLanguage.language_code, MenteeLanguage.level)
        .where(MenteeLanguage.mentee_id.in_(ids))
    ).all() if ids else []
    return _profiles(rows, area_rows, language_rows, {})


def mentee_profile(mentee):
    return Profile(
        id=mentee.id, name=mentee.full_name, municipality=mentee.municipality or "",
        areas={link.support_area_id: link.rank for link in mentee.support_areas},
        languages={skill.language_code: skill.level for skill in mentee.languages},
        slots=_slots(mentee.availability_days, mentee.availability_periods),
        gender=mentee.gender, preferred_gender=mentee.preferred_mentor_gender,
    )


def mentor_profile(mentor):
    return Profile(
        id=mentor.id, name=mentor.full_name, municipality=mentor.municipality or "",
        areas={link.support_area_id: 1 for link in mentor.support_areas},
        languages={skill.language_code: skill.level for skill in mentor.languages},
        slots=_slots(mentor.availability_days, mentor.availability_periods),
        gender=mentor.gender, open_processes=_open_counts(MentoringProcess.mentor_id, [mentor.id]).get(mentor.id, 0),
    )


def confirm_match(mentor, mentee, actor, cadence):
    """Staff confirm a suggestion: the mentor must still have room for another mentee.

    Both rows are locked (mentor first, then mentee, in every request: no deadlock) and read
    again, so two people confirming at once are served one after the other: the second sees
    the first's process, the mentor's new load and the mentee no longer waiting."""
    lock_pair(mentor, mentee)
    limit = matching_settings().max_mentees_per_mentor
    if _open_counts(MentoringProcess.mentor_id, [mentor.id]).get(mentor.id, 0) >= limit:
        raise ProcessRefused(ngettext("This mentor already follows %(num)d mentee, the most allowed here.",
                                      "This mentor already follows %(num)d mentees, the most allowed here.", limit))
    return create_process(mentor, mentee, actor, cadence)


def suggest_mentors(mentee, limit=10):
    """The best mentors for `mentee`: the database keeps those that can reach the top `limit`
    (`prefilter`), which are then ranked exactly as `scoring` ranks every candidate."""
    settings = matching_settings()
    subject = mentee_profile(mentee)
    pool = candidate_rows(subject, settings.weights, settings.max_mentees_per_mentor, limit)
    profiles = _profiles(pool, *candidate_links(pool), {row.id: row.open_processes for row in pool})
    return rank(subject, profiles, settings.weights, settings.max_mentees_per_mentor, subject_is_mentee=True,
                limit=limit)


def suggest_mentees(mentor, limit=10):
    settings = matching_settings()
    return rank(mentor_profile(mentor), eligible_mentees(), settings.weights, settings.max_mentees_per_mentor,
                subject_is_mentee=False, limit=limit)


# --- explanations, in the reader's language ----------------------------------

def _area_labels(ids):
    if not ids:
        return {}
    return {area.id: area.label for area in db.session.scalars(sa.select(SupportArea).where(SupportArea.id.in_(ids)))}


def explained(suggestions):
    """[(suggestion, its explanation)], the support areas' and the criteria's labels read and
    translated once for all."""
    covered = {area_id for suggestion in suggestions for item in suggestion.breakdown
               if item.criterion == "support_areas" for area_id in item.facts["covered"]}
    labels, criteria = _area_labels(covered), {criterion: str(label) for criterion, label in CRITERIA.items()}
    return [(suggestion, explain(suggestion, labels, criteria)) for suggestion in suggestions]


def explain(suggestion, area_labels=None, criteria=CRITERIA):
    """[(criterion label, points, maximum points, sentence)] for one suggestion; `area_labels`:
    {support area id: label}, read here when not given; `criteria`: their labels."""
    total_weight = sum(item.weight for item in suggestion.breakdown) or 1
    lines = []
    for item in suggestion.breakdown:
        facts = item.facts
        if item.criterion == "support_areas":
            labels = area_labels if area_labels is not None else _area_labels(facts["covered"])
            sentence = (ngettext("Covers %(num)d of %(needed)d needs: %(areas)s",
                                 "Covers %(num)d of %(needed)d needs: %(areas)s", len(facts["covered"]),
                                 needed=facts["needed"], areas=", ".join(labels[i] for i in facts["covered"]))
                        if facts["covered"] else _("Covers none of the needs"))
        elif item.criterion == "languages":
            sentence = (_("Shared language: %(language)s", language=language_name(facts["language"]))
                        if facts["language"] else _("No language in common"))
        elif item.criterion == "location":
            sentence = (_("Same municipality: %(place)s", place=facts["municipality"]) if facts["same"]
                        else _("Different municipality (%(place)s)", place=facts["municipality"] or "—"))
        elif item.criterion == "availability":
            if facts["common"] is None:
                sentence = _("The mentee's availability is not recorded")
            elif item.fit == 0 and not facts["of"]:
                sentence = _("No availability recorded")
            else:
                sentence = _("%(common)d of %(total)d time slots in common", common=facts["common"], total=facts["of"])
        elif item.criterion == "load":
            sentence = ngettext("In %(num)d open process (at most %(max)d)",
                                "In %(num)d open processes (at most %(max)d)", facts["open"], max=facts["max"])
        else:
            if facts["preference"] is None:
                sentence = _("No preference stated")
            elif facts["met"]:
                sentence = _("Matches the stated preference (%(gender)s)", gender=GENDERS[facts["preference"]])
            else:
                sentence = _("Does not match the stated preference (%(gender)s)", gender=GENDERS[facts["preference"]])
        lines.append((criteria[item.criterion], item.points, round(100 * item.weight / total_weight, 1), sentence))
    return lines

