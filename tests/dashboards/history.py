"""A small network with a random history, built through the services (so every hook
runs), and the figures counted directly from the case tables, in Python."""
import contextlib
import random
from collections import Counter
from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.intake.services import record_interview
from tenants.outcomes import services as outcomes
from tenants.outcomes.measures import current_measures, t_band
from tenants.participants.models import Interview, Mentee, Mentor
from tenants.participants.services import create_participant, form_data, update_participant
from tenants.processes import services as processes
from tenants.processes.models import OPEN_STATES, MentoringProcess, ProcessEvent
from tests.factories import give_consent, make_tenant, make_user

AGREEMENT = {
    "meeting_frequency": "weekly", "mode": "in_person", "place": None,
    "mentor_duties": "Meet every week.", "mentee_duties": "Come prepared.",
    "goals": [{"kind": "need", "text": "Find a job", "target_date": None},
              {"kind": "dream", "text": "Learn Portuguese", "target_date": None}],
}
COUNTRIES = ["BR", "AO", "UA", "IN", "CV", None]
AGE_BANDS = ["18_24", "25_34", "35_44", None]
GENDERS = ["female", "male", "other", None]
RESIDENCE = ["residence_permit", "asylum_seeker", "eu_citizen", None]
AREAS = ["health", "housing", "qualification_job_search", "portuguese_language"]
PARTNERS = [("alpha", "municipality", "porto"), ("beta", "ngo", "faro"), ("gama", "ngo", "porto"),
            ("delta", "immigrant_association", "lisboa")]


def make_network(partners=PARTNERS):
    coordination = make_tenant("coordenacao", kind="coordination", name="Coordenação Nacional")
    coordinator = make_user("coord@example.pt", "Helena Coordenadora", [(coordination, "coordinator")])
    tenants = []
    for slug, kind, district in partners:
        tenant = make_tenant(slug, kind=kind, district=district)
        staff = make_user(f"staff@{slug}.pt", f"Staff {slug}", [(tenant, "staff")])
        tenants.append(SimpleNamespace(id=tenant.id, slug=slug, staff=staff, kind=kind, district=district))
    db.session.commit()
    return SimpleNamespace(coordination=coordination, coordinator=coordinator, partners=tenants)


def _at(day):
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


class History:
    """Random steps, each in one partner's context, each committed (so the incremental
    refresh runs after it, as after a request)."""

    def __init__(self, network, seed, start=date(2025, 1, 1)):
        self.network, self.rng, self.day, self.counter = network, random.Random(seed), start, 0
        self.areas = [area for area in AREAS]
        # The outcome answers draw from their own sequence: the rest of the history stays the same.
        self.outcomes = random.Random(seed + 1000)

    def _tick(self):
        self.day = date.fromordinal(self.day.toordinal() + self.rng.randint(0, 12))
        return self.day

    def step(self):
        rng = self.rng
        partner = rng.choice(self.network.partners)
        day = self._tick()
        with tenant_context(partner.id):
            last_event = db.session.scalar(sa.select(sa.func.max(ProcessEvent.id))) or 0
            action = rng.choices(
                ["mentor", "mentee", "interview", "match", "advance", "cancel", "edit"],
                weights=[2, 3, 3, 3, 6, 1, 1])[0]
            getattr(self, f"_{action}")(partner, day)
            # The timeline's timestamps follow the simulated calendar.
            for event in db.session.scalars(sa.select(ProcessEvent).where(ProcessEvent.id > last_event)):
                event.occurred_at = _at(day)
        db.session.commit()

    def _person_data(self, role):
        rng = self.rng
        self.counter += 1
        data = {"full_name": f"Pessoa {self.counter}", "email": f"p{self.counter}@example.pt", "phone": None,
                "municipality": "Lisboa", "languages": [], "availability_days": [], "availability_periods": [],
                "support_areas": rng.sample(self.areas, rng.randint(0, 2))}
        if role == "mentee":
            data.update(country_of_origin=rng.choice(COUNTRIES), age_band=rng.choice(AGE_BANDS),
                        gender=rng.choice(GENDERS), residence_status=rng.choice(RESIDENCE))
        else:
            data.update(gender=rng.choice(GENDERS), training_completed_on=date(2024, 12, 1))
        return data

    def _register(self, role, partner, day):
        person = create_participant(role, self._person_data(role), partner.staff)
        person.created_at = _at(day)
        give_consent(person, partner.staff)
        return person

    def _mentor(self, partner, day):
        self._register("mentor", partner, day)

    def _mentee(self, partner, day):
        self._register("mentee", partner, day)

    def _interview(self, partner, day):
        people = [p for model in (Mentor, Mentee) for p in db.session.scalars(
            sa.select(model).where(model.status.in_(("applicant", "interviewed"))))]
        if not people:
            return self._mentee(partner, day)
        person = self.rng.choice(people)
        recommendation = self.rng.choices(["accept", "decline", "refer_elsewhere"], weights=[8, 1, 1])[0]
        record_interview(person, {"held_on": day, "interviewer_id": partner.staff.id, "recommendation": recommendation,
                                  "notes": None}, partner.staff)

    def _match(self, partner, day):
        mentors = db.session.scalars(sa.select(Mentor).where(Mentor.status.in_(("available", "matched")))).all()
        mentees = db.session.scalars(sa.select(Mentee).where(Mentee.status == "waiting")).all()
        if not mentors or not mentees:
            return self._interview(partner, day)
        with contextlib.suppress(processes.ProcessRefused):
            processes.create_process(self.rng.choice(mentors), self.rng.choice(mentees), partner.staff, today=day)

    def _open(self):
        return db.session.scalars(sa.select(MentoringProcess).where(MentoringProcess.state.in_(OPEN_STATES))
                                  .order_by(MentoringProcess.id)).all()

    def _advance(self, partner, day):
        open_processes = self._open()
        if not open_processes:
            return self._match(partner, day)
        process = self.rng.choice(open_processes)
        staff = partner.staff
        if process.state == "matched":
            if process.agreement is None:
                processes.save_agreement(process, AGREEMENT, 0, staff)
                self._intake(process, staff)
            for side in ("mentor", "mentee"):
                if process.agreement.accepted_at(side) is None:
                    processes.accept_agreement(process, side, staff, version=process.agreement.version)
        elif process.state == "agreement_signed":
            processes.transition(process, "active", staff, today=day)
        elif process.state == "active":
            processes.transition(process, "in_evaluation", staff, today=day)
        else:
            self._closing(process, staff)
            outcome = self.rng.choice(["met", "partly", "not_met"])
            for side in ("mentor", "mentee"):
                processes.submit_evaluation(process, side, {
                    "satisfaction": 4, "changes": [], "would_repeat": True, "comments": None,
                    "goal_outcomes": {goal.id: outcome for goal in process.agreement.goals}}, staff)
            if outcome == "met":
                processes.close_process(process, "goals_met", self.rng.choice(["end", "new_process"]), staff,
                                        today=day)
            elif self.rng.random() < 0.3:
                processes.close_process(process, "redefined", "redefine", staff, today=day)
            else:
                processes.close_process(process, "partly_met" if outcome == "partly" else "not_met", "end", staff,
                                        today=day)

    def close_open_processes(self):
        """Walk every open process on to its close (the impact counts closed processes)."""
        for partner in self.network.partners:
            while True:
                day = self._tick()
                with tenant_context(partner.id):
                    if not self._open():
                        break
                    last_event = db.session.scalar(sa.select(sa.func.max(ProcessEvent.id))) or 0
                    self._advance(partner, day)
                    for event in db.session.scalars(sa.select(ProcessEvent).where(ProcessEvent.id > last_event)):
                        event.occurred_at = _at(day)
                db.session.commit()

    def _answers(self, side):
        return {indicator.code: (self.outcomes.randint(0, indicator.maximum) if indicator.kind == "number"
                                 else self.outcomes.choice(indicator.levels)[0])
                for indicator in current_measures().indicators(side)}

    def _intake(self, process, staff):
        """Most processes get the mentee's answers at the start and expected outcomes of their goals."""
        if self.outcomes.random() < 0.8:
            outcomes.record_assessment(process, "mentee", "intake", self._answers("mentee"), staff)
        if self.outcomes.random() < 0.7:
            outcomes.save_expectations(process, {goal.id: {"expected_outcome": "As agreed",
                                                           "weight": self.outcomes.randint(1, 3)}
                                                 for goal in process.agreement.goals}, staff)

    def _closing(self, process, staff):
        answered = outcomes.assessments(process)
        if self.outcomes.random() < 0.8 and ("mentee", "closing") not in answered:
            outcomes.record_assessment(process, "mentee", "closing", self._answers("mentee"), staff)
        if self.outcomes.random() < 0.7 and ("mentor", "closing") not in answered:
            outcomes.record_assessment(process, "mentor", "closing", self._answers("mentor"), staff)
        goals = outcomes.attainments(process)
        if goals and self.outcomes.random() < 0.9:
            outcomes.score_goals(process, {goal_id: self.outcomes.randint(-2, 2) for goal_id in goals}, staff)

    def _cancel(self, partner, day):
        open_processes = self._open()
        if open_processes:
            processes.transition(self.rng.choice(open_processes), "cancelled", partner.staff, reason="Moved away",
                                 today=day)

    def _edit(self, partner, day):
        mentees = db.session.scalars(sa.select(Mentee).order_by(Mentee.id)).all()
        if not mentees:
            return self._mentee(partner, day)
        mentee = self.rng.choice(mentees)
        data = form_data(mentee)
        data.update(country_of_origin=self.rng.choice(COUNTRIES), age_band=self.rng.choice(AGE_BANDS),
                    support_areas=self.rng.sample(self.areas, self.rng.randint(0, 3)))
        update_participant(mentee, data, partner.staff)


def month(value):
    return value.strftime("%Y-%m")


BROKEN_DOWN = {"mentees_registered", "matched", "goals_met", "active_mentees"}


class _DirectCounts:
    """One partner's figures, added to `counts`: straight from the case tables (in its tenant)."""

    def __init__(self, counts, partner):
        self.counts, self.partner_id = counts, partner.id
        self.mentees = {m.id: m for m in db.session.scalars(sa.select(Mentee))}
        self.mentors = {m.id: m for m in db.session.scalars(sa.select(Mentor))}
        self.areas = {m.id: [link.support_area.code for link in m.support_areas] for m in self.mentees.values()}

    def add(self, metric, when, mentee=None, mentor=None, extra=()):
        key = self.partner_id, metric
        self.counts[(*key, "all", "", when)] += 1
        if mentee is not None and metric in BROKEN_DOWN:
            self.counts[(*key, "country", mentee.country_of_origin or "unknown", when)] += 1
            self.counts[(*key, "age_band", mentee.age_band or "unknown", when)] += 1
            self.counts[(*key, "gender", mentee.gender or "unknown", when)] += 1
            self.counts[(*key, "residence", mentee.residence_status or "unknown", when)] += 1
            for code in self.areas[mentee.id]:
                self.counts[(*key, "support_area", code, when)] += 1
        for dimension, value in extra:
            self.counts[(*key, dimension, value, when)] += 1

    def people(self):
        for m in self.mentors.values():
            self.add("mentors_registered", month(m.created_at), mentor=m)
        for m in self.mentees.values():
            self.add("mentees_registered", month(m.created_at), mentee=m)
        first = {}
        for interview in db.session.scalars(sa.select(Interview)):
            key = ("mentor", interview.mentor_id) if interview.mentor_id else ("mentee", interview.mentee_id)
            first[key] = min(first.get(key, interview.held_on), interview.held_on)
        for (role, person_id), held_on in first.items():
            if role == "mentor":
                self.add("mentors_interviewed", month(held_on), mentor=self.mentors[person_id])
            else:
                self.add("mentees_interviewed", month(held_on), mentee=self.mentees[person_id])

    def processes(self):
        signed = {e.process_id: e.occurred_at for e in db.session.scalars(
            sa.select(ProcessEvent).where(ProcessEvent.to_state == "agreement_signed"))}
        active_mentors, active_mentees = set(), set()
        for p in db.session.scalars(sa.select(MentoringProcess)):
            self._process(p, signed)
            if p.state in OPEN_STATES:
                active_mentors.add(p.mentor_id)
                active_mentees.add(p.mentee_id)
        for mentor_id in active_mentors:
            self.add("active_mentors", None, mentor=self.mentors[mentor_id])
        for mentee_id in active_mentees:
            self.add("active_mentees", None, mentee=self.mentees[mentee_id])

    def _process(self, p, signed):
        mentee = self.mentees[p.mentee_id]
        self.add("matched", month(p.matched_on), mentee=mentee)
        if p.id in signed:
            self.add("agreement_signed", month(signed[p.id]), mentee=mentee)
        if p.activated_on:
            self.add("activated", month(p.activated_on), mentee=mentee)
        if p.state == "closed":
            self.add("closed", month(p.closed_on), mentee=mentee, extra=[("outcome", p.outcome)])
            if p.outcome == "goals_met":
                self.add("goals_met", month(p.closed_on), mentee=mentee)
        if p.state == "cancelled":
            self.add("cancelled", month(p.closed_on), mentee=mentee)
        if p.state in OPEN_STATES:
            self.add("ongoing", None, extra=[("state", p.state)])


def direct_counts(partners):
    """Counter keyed (tenant_id, metric, dimension, value, month or None): straight from the case tables."""
    counts = Counter()
    for partner in partners:
        with tenant_context(partner.id):
            partner_counts = _DirectCounts(counts, partner)
            partner_counts.people()
            partner_counts.processes()
            for p in db.session.scalars(sa.select(MentoringProcess).where(MentoringProcess.state == "closed")):
                impact_counts(counts, partner.id, p, partner_counts.areas[p.mentee_id])
    return counts


def impact_counts(counts, tenant_id, process, areas):
    """The impact rows of one closed process, from the outcome services (Python, not the roll-up SQL)."""
    cohort = str(process.matched_on.year)  # the year matched in
    for code, change in outcomes.changes(process).items():
        if change is not None:
            counts[(tenant_id, f"impact_{code}", "change", change, cohort)] += 1
            for area in areas:
                counts[(tenant_id, f"impact_{code}", "area_change", f"{area}|{change}", cohort)] += 1
    t_score = outcomes.t_score(process)
    if t_score is not None:
        counts[(tenant_id, "impact_gas", "t_band", str(t_band(t_score)), cohort)] += 1
        for area in areas:
            counts[(tenant_id, "impact_gas", "area_t_band", f"{area}|{t_band(t_score)}", cohort)] += 1
    mentor = outcomes.assessments(process).get(("mentor", "closing"))
    if mentor is not None:
        counts[(tenant_id, "impact_mentor_again", "answer", mentor.answers["mentor_again"], cohort)] += 1
        counts[(tenant_id, "impact_mentor_satisfaction", "score", mentor.answers["satisfaction"], cohort)] += 1
