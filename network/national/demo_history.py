"""The mentoring processes' history, written as rows: each mentee's processes dated backwards
from a day (the last one may still be open, the earlier ones ended before the next was
matched), with their agreements, meetings on the agreed frequency, follow-ups on each
cadence, final evaluations, outcomes and the timeline the roll-ups read. The benchmark's
generator (`bench.generate`, with COPY) and the demo (`network.national.demo_people`, with
set-based INSERTs) both write history through this class: one shape for both.

`rows.add(table, *values)` receives the values in the order of `HISTORY_COLUMNS[table]`;
`ids.next(table)` gives each row its id, so children reference parents without a round trip."""
from datetime import UTC, datetime, timedelta

from network.national import demo_outcomes
from network.national.demo_distributions import (
    CADENCE_MONTHS,
    CANCEL_REASONS,
    CHANGES,
    FREQUENCY_DAYS,
    GOALS,
    MEETING_SHARE,
    PROCESS_DAYS,
)
from tenants.outcomes.measures import CURRENT_VERSION
from tenants.processes.cadence import follow_up_due_date

HISTORY_COLUMNS = {
    "mentoring_processes": ("id", "tenant_id", "mentor_id", "mentee_id", "state", "cadence", "matched_on",
                            "activated_on", "closed_on", "next_follow_up_on", "next_meeting_due_on", "outcome",
                            "cancel_reason", "redefined_from_id", "created_at", "created_by_id"),
    "process_events": ("id", "tenant_id", "process_id", "kind", "from_state", "to_state", "occurred_at", "actor_id",
                       "details"),
    "agreements": ("id", "tenant_id", "process_id", "version", "meeting_frequency", "mode", "place", "mentor_duties",
                   "mentee_duties", "created_at", "created_by_id", "mentor_accepted_at", "mentee_accepted_at"),
    "agreement_goals": ("id", "tenant_id", "agreement_id", "position", "kind", "text", "target_date"),
    "meetings": ("id", "tenant_id", "process_id", "held_on", "duration_minutes", "mode", "topics", "logged_by_id",
                 "logged_as", "created_at"),
    "meeting_confirmations": ("id", "tenant_id", "meeting_id", "side", "answer", "reason", "answered_at",
                              "answered_by_id"),
    "follow_ups": ("id", "tenant_id", "process_id", "sequence", "due_on", "held_on", "mentor_satisfaction",
                   "mentee_satisfaction", "recorded_at", "recorded_by_id"),
    "goal_progress": ("id", "tenant_id", "follow_up_id", "goal_id", "progress"),
    "evaluations": ("id", "tenant_id", "process_id", "side", "satisfaction", "changes", "would_repeat",
                    "submitted_at", "submitted_by_id"),
    "goal_outcomes": ("id", "tenant_id", "evaluation_id", "goal_id", "outcome"),
    "outcome_assessments": ("id", "tenant_id", "process_id", "side", "stage", "measures_version", "answers",
                            "recorded_at", "recorded_by_id"),
    "goal_attainments": ("id", "tenant_id", "process_id", "goal_id", "expected_outcome", "weight", "score",
                         "scored_at", "scored_by_id"),
}
OPEN = ("matched", "agreement_signed", "active", "in_evaluation")
ORDER = ("matched", "agreement_signed", "active", "in_evaluation", "closed")


def at(day, hour=10):
    """A moment of `day` (UTC), for the timestamps of rows dated by day."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def plan_mentees(rng, count, processes):
    """How many processes each mentee had: most mentees one, some several, some none yet."""
    with_process = max(1, min(count, round(count * 0.85))) if processes else 0
    plans = [0] * count
    for index in range(processes):
        plans[index % with_process] += 1
    rng.shuffle(plans)
    return plans


def mentor_for(rng, step, previous_mentor, open_slots, trained):
    """The mentor of a process: the same as before for a redefined one, one with room for an
    open one, anyone trained for one that has ended."""
    if step["redefines"] and previous_mentor is not None:
        return previous_mentor
    if step["state"] in OPEN and open_slots:
        return open_slots.pop()
    return rng.choice(trained)


def mentee_status(chain, rng):
    """A mentee's status after their processes (`chain`, oldest first)."""
    last = chain[-1] if chain else None
    if last is None:
        return rng.choice(("applicant", "interviewed", "waiting", "waiting", "paused"))
    if last["state"] in OPEN:
        return "matched"
    if last["state"] == "cancelled":
        return "waiting"
    return "left" if last["next_step"] == "end" else "waiting"


# How often staff record the outcome answers, where the history has them (the benchmark's): at
# the start of most processes with an agreement, at the closing of most closed ones and of half
# of those in their final evaluation. The answers are the demo's draws (demo_outcomes).
OUTCOMES_AT_START = 0.9
OUTCOMES_AT_CLOSING = {"closed": 0.85, "in_evaluation": 0.5}


class ProcessHistory:
    """`pick`: choosers (`demo_distributions.chooser`) named last_state, earlier_state, outcome,
    cadence and frequency. `meetings_per_process`: the mean number of meetings, or None for a
    meeting on every date the agreement's frequency asks for (the demo's). `outcome_rng`: the
    outcome answers' own random sequence, or None for a history without them (the demo records
    its walkthrough's through the services). `confirm_meetings`: both sides confirmed each meeting
    in the portal but the latest of an open process, which the mentee has still to answer (the
    demo's; the benchmark's network has no answers)."""

    def __init__(self, rng, pick, ids, topics, today, meetings_per_process=None, outcome_rng=None,
                 confirm_meetings=False):
        self.rng, self.pick, self.ids, self.topics, self.today = rng, pick, ids, list(topics), today
        self.meetings_per_process, self.outcome_rng = meetings_per_process, outcome_rng
        self.confirm_meetings = confirm_meetings
        self.goal_texts = {}  # agreement goal id -> its text

    def chain(self, count):
        """The mentee's `count` processes, oldest first, dated backwards from today."""
        rng, chain, end = self.rng, [], self.today
        for position in range(count):
            last = position == 0
            state = self.pick["last_state"]() if last else self.pick["earlier_state"]()
            length = rng.randint(*PROCESS_DAYS[state])
            if state in ("closed", "cancelled"):
                closed_on = end - timedelta(days=0 if last and rng.random() < 0.02 else rng.randint(1, 40))
                matched_on = closed_on - timedelta(days=length)
            else:
                closed_on, matched_on = None, end - timedelta(days=length)
            chain.append({"state": state, "matched_on": matched_on, "closed_on": closed_on, "redefines": False,
                          "outcome": None, "next_step": None})
            end = matched_on - timedelta(days=rng.randint(3, 30))
        chain.reverse()
        self._outcomes(chain)
        return chain

    def _outcomes(self, chain):
        for position, step in enumerate(chain):
            following = chain[position + 1] if position + 1 < len(chain) else None
            if step["state"] != "closed":
                continue
            outcome = self.pick["outcome"]()
            if outcome == "redefined" and following is None:
                outcome = "partly_met"
            step["outcome"] = outcome
            if outcome == "redefined":
                step["next_step"] = "redefine"
                following["redefines"] = True
                following["matched_on"] = step["closed_on"]
            elif following is not None or self.rng.random() < 0.3:
                step["next_step"] = "new_process"
            else:
                step["next_step"] = "end"

    def process(self, rows, tenant, staff, mentor, mentee, step, previous):
        """Write one process of `step` (from `chain`) with its whole history; returns
        {"id", "mentor"} for the next process of the chain."""
        rng, process = self.rng, self.ids.next("mentoring_processes")
        state, matched_on, closed_on = step["state"], step["matched_on"], step["closed_on"]
        end = closed_on or self.today
        cadence, frequency = self.pick["cadence"](), self.pick["frequency"]()
        events = [("created", None, "matched", matched_on, None)]
        cancelled_from = rng.choice(("matched", "agreement_signed", "active")) if state == "cancelled" else None
        dates = self._dates(ORDER.index(cancelled_from or state), matched_on, end)
        goals = self._agreement(rows, tenant, staff, process, frequency, dates, events)
        meetings = self._meetings(rows, tenant, staff, process, state, dates["signed"], dates["evaluation"] or end,
                                  frequency, events)
        next_follow_up = self._follow_ups(rows, tenant, staff, process, cadence, dates["activated"],
                                          dates["evaluation"] or end, goals, state == "active", events)
        self._evaluations(rows, tenant, staff, process, step, cancelled_from, dates["evaluation"], end, goals, events)
        if self.outcome_rng is not None and dates["signed"]:
            self._outcome_answers(rows, tenant, staff, process, state, goals, dates["signed"], dates["evaluation"])
        reason = self._ending(step, cancelled_from, events)
        next_meeting = None
        if state in ("agreement_signed", "active", "in_evaluation"):
            since = meetings[-1] if meetings else (dates["activated"] or dates["signed"])
            next_meeting = since + timedelta(days=FREQUENCY_DAYS[frequency])
        redefined_from = previous["id"] if step["redefines"] and previous is not None else None
        rows.add("mentoring_processes", process, tenant, mentor, mentee, state, cadence, matched_on,
                 dates["activated"], closed_on, next_follow_up, next_meeting, step["outcome"], reason, redefined_from,
                 at(matched_on, 9), staff)
        for kind, from_state, to_state, day, details in events:
            rows.add("process_events", self.ids.next("process_events"), tenant, process, kind, from_state, to_state,
                     at(day, 12), staff, details)
        return {"id": process, "mentor": mentor}

    def _dates(self, stage, matched_on, end):
        """The day each step was reached (None for a step not reached)."""
        span = max((end - matched_on).days, 1)
        signed = matched_on + timedelta(days=max(1, min(span // 6, 21))) if stage >= 1 else None
        activated = signed + timedelta(days=max(1, min(span // 8, 10))) if stage >= 2 else None
        evaluation = end - timedelta(days=max(1, min(span // 10, 20))) if stage >= 3 else None
        if stage >= 3 and evaluation <= activated:
            evaluation = activated + timedelta(days=1)
        return {"stage": stage, "matched": matched_on, "signed": signed, "activated": activated,
                "evaluation": evaluation}

    def _agreement(self, rows, tenant, staff, process, frequency, dates, events):
        """The agreement (every process past `matched`, half of those still matched); returns the goals' ids."""
        rng, signed, matched_on = self.rng, dates["signed"], dates["matched"]
        if not (dates["stage"] >= 1 or rng.random() < 0.5):
            return []
        drafted = matched_on + timedelta(days=1 if signed is None else max(0, (signed - matched_on).days - 1))
        drafted = min(drafted, self.today)
        agreement = self.ids.next("agreements")
        accepted = at(signed, 11) if signed else None
        rows.add("agreements", agreement, tenant, process, 1, frequency, rng.choice(("in_person", "mixed", "online")),
                 None, "Acompanhar e orientar.", "Comparecer aos encontros.", at(drafted), staff, accepted, accepted)
        goals = []
        for position, (kind, text) in enumerate(rng.sample(GOALS, rng.randint(2, 3)), start=1):
            goal = self.ids.next("agreement_goals")
            rows.add("agreement_goals", goal, tenant, agreement, position, kind, text, matched_on + timedelta(days=180))
            goals.append(goal)
            if self.outcome_rng is not None:
                self.goal_texts[goal] = text
        events.append(("agreement_saved", None, None, drafted, {"version": 1}))
        if signed:
            events.append(("agreement_accepted", None, None, signed, {"side": "mentor", "version": 1}))
            events.append(("agreement_accepted", None, None, signed, {"side": "mentee", "version": 1}))
            events.append(("state_changed", "matched", "agreement_signed", signed, None))
        if dates["activated"]:
            events.append(("state_changed", "agreement_signed", "active", dates["activated"], None))
        return goals

    def _outcome_answers(self, rows, tenant, staff, process, state, goals, signed_on, evaluation_on):
        """The mentee's answers at the start and the goals' expected outcomes; at closing, the
        mentee's and the mentor's answers and the goals' scores (demo_outcomes' draws)."""
        rng, texts = self.outcome_rng, {goal: self.goal_texts.pop(goal) for goal in goals}
        if rng.random() >= OUTCOMES_AT_START:
            return
        start = demo_outcomes.start_levels(rng)
        rows.add("outcome_assessments", self.ids.next("outcome_assessments"), tenant, process, "mentee", "intake",
                 CURRENT_VERSION, start, at(signed_on, 11), staff)
        closing = evaluation_on is not None and rng.random() < OUTCOMES_AT_CLOSING.get(state, 0)
        if closing:
            for side, answers in (("mentee", demo_outcomes.closing_levels(start, rng)),
                                  ("mentor", demo_outcomes.mentor_closing(rng))):
                rows.add("outcome_assessments", self.ids.next("outcome_assessments"), tenant, process, side,
                         "closing", CURRENT_VERSION, answers, at(evaluation_on, 14), staff)
        for goal in goals:
            score = demo_outcomes.goal_score(rng) if closing else None
            rows.add("goal_attainments", self.ids.next("goal_attainments"), tenant, process, goal,
                     demo_outcomes.expected_outcome(texts[goal]), 1, score,
                     at(evaluation_on, 14) if closing else None, staff if closing else None)

    def _meeting_days(self, state, signed_on, until, frequency):
        rng, share = self.rng, MEETING_SHARE[state]
        if signed_on is None or share == 0 or until <= signed_on:
            return []
        available = (until - signed_on).days // FREQUENCY_DAYS[frequency]
        if self.meetings_per_process is None:
            count = available
        else:
            count = max(0, min(available, round(rng.uniform(0.5, 1.5) * self.meetings_per_process * share)))
        if count == 0:
            return []
        step = (until - signed_on).days / (count + 1)
        return [signed_on + timedelta(days=round(step * (k + 1))) for k in range(count)]

    def _meetings(self, rows, tenant, staff, process, state, signed_on, until, frequency, events):
        rng = self.rng
        days = self._meeting_days(state, signed_on, min(until, self.today), frequency)
        topics = rng.sample(self.topics, 2)
        for number, day in enumerate(days, start=1):
            logged_as, meeting = rng.choice(("staff", "mentor", "mentor", "mentee")), self.ids.next("meetings")
            rows.add("meetings", meeting, tenant, process, day, rng.choice((45, 60, 90)),
                     rng.choice(("in_person", "in_person", "online", "phone")), topics, staff, logged_as, at(day, 18))
            events.append(("meeting_logged", None, None, day, {"held_on": day.isoformat(), "logged_as": logged_as}))
            if self.confirm_meetings:
                latest_open = number == len(days) and state in OPEN
                for side in ("mentor",) if latest_open else ("mentor", "mentee"):
                    rows.add("meeting_confirmations", self.ids.next("meeting_confirmations"), tenant, meeting, side,
                             "confirmed", None, at(day, 20), None)
        return days

    def _follow_ups(self, rows, tenant, staff, process, cadence, activated_on, until, goals, still_active, events):
        """Follow-ups due before `until`; an active process may have its last one still
        pending. Returns the next due date of an active process."""
        if activated_on is None:
            return None
        rng, months, sequence = self.rng, CADENCE_MONTHS[cadence], 0
        while sequence < 8:
            due = follow_up_due_date(activated_on, months, sequence + 1)
            if due > until or (still_active and due > self.today - timedelta(days=3) and rng.random() < 0.5):
                break
            sequence += 1
            held = min(due + timedelta(days=rng.randint(0, 5)), self.today)
            follow_up = self.ids.next("follow_ups")
            rows.add("follow_ups", follow_up, tenant, process, sequence, due, held, rng.randint(3, 5),
                     rng.randint(3, 5), at(held, 15), staff)
            for goal in goals:
                rows.add("goal_progress", self.ids.next("goal_progress"), tenant, follow_up, goal,
                         min(4, sequence + rng.randint(0, 1)))
            events.append(("follow_up_recorded", None, None, held, {"sequence": sequence}))
        return follow_up_due_date(activated_on, months, sequence + 1) if still_active else None

    def _evaluations(self, rows, tenant, staff, process, step, cancelled_from, evaluation_on, end, goals, events):
        if not evaluation_on:
            return
        rng = self.rng
        events.append(("state_changed", "active", "in_evaluation", evaluation_on, None))
        sides = ("mentor", "mentee") if step["state"] == "closed" or cancelled_from == "closed" else \
            rng.sample(("mentor", "mentee"), rng.randint(0, 2))
        for side in sides:
            submitted = min(evaluation_on + timedelta(days=rng.randint(1, 10)), end)
            self._evaluation(rows, tenant, staff, process, side, submitted, goals, step["outcome"])
            events.append(("evaluation_submitted", None, None, submitted, {"side": side}))

    def _ending(self, step, cancelled_from, events):
        """The closing or cancelling event; returns the cancel reason."""
        if step["state"] == "closed":
            events.append(("state_changed", "in_evaluation", "closed", step["closed_on"],
                           {"outcome": step["outcome"], "next_step": step["next_step"]}))
        if step["state"] != "cancelled":
            return None
        reason = self.rng.choice(CANCEL_REASONS)
        events.append(("state_changed", cancelled_from, "cancelled", step["closed_on"], {"reason": reason}))
        return reason

    def _evaluation(self, rows, tenant, staff, process, side, submitted, goals, outcome):
        rng = self.rng
        evaluation = self.ids.next("evaluations")
        rows.add("evaluations", evaluation, tenant, process, side, rng.randint(3, 5),
                 rng.sample(CHANGES, rng.randint(0, 3)), rng.random() < 0.85, at(submitted, 16), staff)
        for index, goal in enumerate(goals):
            if outcome == "goals_met":
                result = "met"
            elif outcome in ("redefined", "not_met") and index == 0:
                result = "not_met"
            else:
                result = rng.choice(("met", "partly", "not_met"))
            rows.add("goal_outcomes", self.ids.next("goal_outcomes"), tenant, evaluation, goal, result)
