"""The outcome measures, defined once for the whole network and versioned.

An answer is stored with the version of the measures it answered (`OutcomeAssessment.
measures_version`): a later version may reword a question or change its levels, and an intake
answered under version 1 is compared only with a closing answered under version 1.

Each mentee indicator is an ordered scale (worst first), so that the change from intake to
closing is "improved", "same" or "worse"; a level in `not_applicable` (a qualification that
needs no recognition) takes part in no comparison.

Goal Attainment Scaling (Kiresuk & Sherman 1968): each agreement goal is scored from -2 (much
less than expected) to +2 (much more than expected), 0 being the expected outcome written at
the agreement, and the process gets the T-score

    T = 50 + 10 * sum(w_i x_i) / sqrt((1 - rho) * sum(w_i^2) + rho * (sum w_i)^2)

with rho = 0.3 (the correlation between goals the authors assumed) and equal weights unless
a goal carries its own.
"""
import math
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

RHO = 0.3
GAS_SCORES = {
    -2: _l("Much less than expected (-2)"),
    -1: _l("Less than expected (-1)"),
    0: _l("The expected outcome (0)"),
    1: _l("More than expected (+1)"),
    2: _l("Much more than expected (+2)"),
}
CHANGES = {"improved": _l("Improved"), "same": _l("Same"), "worse": _l("Worse")}
STAGES = {"intake": _l("At the start"), "closing": _l("At closing")}
SIDES = {"mentee": _l("Mentee"), "mentor": _l("Mentor")}


def gas_t_score(scores, weights=None, rho=RHO):
    """The GAS T-score of goal scores (-2..+2) with their weights (default: all 1); None without goals."""
    scores = list(scores)
    if not scores:
        return None
    weights = list(weights) if weights is not None else [1] * len(scores)
    if len(weights) != len(scores) or any(weight <= 0 for weight in weights):
        raise ValueError("one positive weight per goal")
    weighted = sum(weight * score for weight, score in zip(weights, scores, strict=True))
    spread = math.sqrt((1 - rho) * sum(weight * weight for weight in weights) + rho * sum(weights) ** 2)
    return 50 + 10 * weighted / spread


# T-scores are published as counts of processes per band of `T_BAND` points (a mean of exact
# scores over a small group would describe its few people); the mean shown is the bands' one.
T_BAND = 5
T_BANDS = tuple(range(20, 85, T_BAND))  # 20 holds everything below 25, 80 everything from 80


def t_band(t_score):
    return min(max(int(math.floor(t_score / T_BAND)) * T_BAND, T_BANDS[0]), T_BANDS[-1])


def band_mean(counts):
    """The mean T-score of {band: count}, each process at its band's middle; None when empty."""
    total = sum(counts.values())
    if not total:
        return None
    return sum((int(band) + T_BAND / 2) * count for band, count in counts.items()) / total


@dataclass(frozen=True)
class Indicator:
    code: str
    question: object
    levels: tuple  # ((code, label), ...), worst first
    not_applicable: tuple = ()
    kind: str = "scale"  # "scale" (levels), "number" (0..maximum), "yes_no"
    maximum: int = 0

    @property
    def choices(self):
        return dict(self.levels)

    def rank(self, level):
        codes = [code for code, _ in self.levels if code not in self.not_applicable]
        return codes.index(level) if level in codes else None


@dataclass(frozen=True)
class MeasureSet:
    version: int
    mentee: tuple
    mentor: tuple = field(default=())

    def indicators(self, side):
        return self.mentee if side == "mentee" else self.mentor

    def indicator(self, code):
        return next(indicator for indicator in (*self.mentee, *self.mentor) if indicator.code == code)


_CEFR = (("none", _l("No Portuguese yet")), ("a1", "A1"), ("a2", "A2"), ("b1", "B1"), ("b2", "B2"),
         ("c1", "C1"), ("c2", "C2"))

VERSION_1 = MeasureSet(1, mentee=(
    Indicator("employment", _l("What is your work situation?"), (
        ("no_work", _l("Not working")),
        ("occasional", _l("Occasional or informal work")),
        ("temporary", _l("Temporary or part-time contract")),
        ("stable", _l("Permanent contract or own business")),
    )),
    Indicator("portuguese", _l("What is your level of Portuguese (CEFR, self-assessed or assessed)?"), _CEFR),
    Indicator("qualification", _l("Is the recognition of your training or qualifications under way?"), (
        ("not_needed", _l("Not needed")),
        ("not_started", _l("Not started")),
        ("started", _l("Started")),
        ("obtained", _l("Obtained")),
    ), not_applicable=("not_needed",)),
    Indicator("housing", _l("Where do you live?"), (
        ("none", _l("No home of my own (street, shelter, emergency accommodation)")),
        ("temporary", _l("Temporary accommodation or staying with others")),
        ("room", _l("A rented room")),
        ("home", _l("A home with my own lease or owned")),
    )),
    Indicator("network", _l("How many people can you ask for help here?"), (
        ("nobody", _l("Nobody")),
        ("few", _l("One or two")),
        ("some", _l("Three to five")),
        ("many", _l("More than five")),
    )),
    Indicator("rights", _l("How well do you know your rights and the public services you can use?"), (
        ("not_at_all", _l("Not at all")),
        ("little", _l("A little")),
        ("fairly", _l("Fairly well")),
        ("well", _l("Well")),
    )),
), mentor=(
    Indicator("hours_given", _l("About how many hours did you give to this mentoring, meetings included?"), (),
              kind="number", maximum=2000),
    Indicator("satisfaction", _l("How satisfied are you with this mentoring (1 = very low, 5 = very high)?"),
              tuple((str(score), str(score)) for score in range(1, 6))),
    Indicator("mentor_again", _l("Would you mentor again?"), (("no", _l("No")), ("yes", _l("Yes"))), kind="yes_no"),
))

VERSIONS = {measure_set.version: measure_set for measure_set in (VERSION_1,)}
CURRENT_VERSION = max(VERSIONS)
MENTEE_INDICATORS = tuple(indicator.code for indicator in VERSIONS[CURRENT_VERSION].mentee)


def current_measures():
    return VERSIONS[CURRENT_VERSION]


def change(indicator, intake, closing):
    """"improved", "same" or "worse" from the intake level to the closing level, or None when
    either is missing or not applicable."""
    before, after = indicator.rank(intake), indicator.rank(closing)
    if before is None or after is None:
        return None
    return "improved" if after > before else "worse" if after < before else "same"
