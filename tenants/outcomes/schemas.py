"""Validation of the outcome forms, built from the measures' definitions."""
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from network.core.validation import FormSchema, choice_field, integer_field, text_field
from tenants.outcomes.measures import GAS_SCORES, current_measures


def assessment_schema(side):
    """A schema with one field per indicator of the current measures for `side`."""
    answers = {}
    for indicator in current_measures().indicators(side):
        if indicator.kind == "number":
            answers[indicator.code] = integer_field(0, indicator.maximum, required=True)
        else:
            answers[indicator.code] = choice_field(indicator.choices)
    return FormSchema.from_dict(answers, name=f"{side.title()}AssessmentSchema")()


class ExpectationSchema(FormSchema):
    expected_outcome = text_field(500)
    weight = integer_field(1, 10, required=False, load_default=1)


class ExpectationsSchema(FormSchema):
    expectations = fields.Dict(keys=fields.Integer(), values=fields.Nested(ExpectationSchema), required=True)


class ScoresSchema(FormSchema):
    scores = fields.Dict(keys=fields.Integer(), required=True, values=fields.Integer(
        validate=validate.OneOf(list(GAS_SCORES), error=_l("Choose one of the options."))))


def expectations_form(form):
    """{goal id: {expected_outcome, weight}} from inputs `expected-<goal id>` and `weight-<goal id>`;
    goals left blank are left out."""
    rows = {}
    for key, value in form.items():
        if key.startswith("expected-") and key[9:].isdigit() and value.strip():
            rows[key[9:]] = {"expected_outcome": value.strip(), "weight": form.get(f"weight-{key[9:]}") or 1}
    return {"expectations": rows}


def scores_form(form):
    return {"scores": {key[6:]: value for key, value in form.items()
                       if key.startswith("score-") and key[6:].isdigit() and value != ""}}
