"""Properties of the marshmallow schemas the forms and the API share (Hypothesis):

- any input either loads or is refused with a dict of messages, translated (pt_PT differs
  from en), never with another exception;
- what loads, loads again to the same data (the API and the forms may round-trip it);
- text, whatever it holds (markup, SQL), is kept verbatim and shown escaped."""
import json
from datetime import date

import pytest
from flask import render_template_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from network.national.api.schemas import ParticipantQuerySchema, ProcessQuerySchema
from network.national.api.token_views import ApiTokenSchema
from tenants.activities.schemas import PartnerActivitySchema
from tenants.participants.schemas import MenteeSchema, MentorSchema
from tenants.processes.schemas import MeetingSchema

SCHEMAS = [MentorSchema, MenteeSchema, MeetingSchema, PartnerActivitySchema, ParticipantQuerySchema,
           ProcessQuerySchema, ApiTokenSchema]
PROPERTY_SETTINGS = settings(max_examples=40, deadline=None, database=None, derandomize=True,
                             suppress_health_check=list(HealthCheck))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30) | st.sampled_from(["", " ", "2026-01-31", "2099-01-01", "mentor:1", "en", "housing",
                                              "a1", "online", "x" * 5000, "\x00"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["code", "level", "x"]),
                                                                      children, max_size=3),
    max_leaves=6,
)


def _inputs(schema_class):
    names = sorted(schema_class._declared_fields)
    return st.dictionaries(st.sampled_from(names + ["unknown", "csrf_token"]), json_values, max_size=len(names) + 1)


def _messages(errors, path=()):
    """(path, message) pairs of marshmallow's nested messages."""
    assert isinstance(errors, (dict, list)), errors
    if isinstance(errors, dict):
        for key, value in errors.items():
            yield from _messages(value, (*path, str(key)))
        return
    for message in errors:
        if isinstance(message, (dict, list)):
            yield from _messages(message, path)
        else:
            assert isinstance(message, str), (path, message)
            yield path, message


def _load(app, schema_class, data, locale):
    with app.test_request_context(headers={"Accept-Language": locale}):
        try:
            return schema_class().load(data), None
        except ValidationError as error:
            return None, sorted(_messages(error.normalized_messages()))


@pytest.mark.parametrize("schema_class", SCHEMAS, ids=lambda schema: schema.__name__)
def test_any_input_loads_or_gets_translated_messages(app, schema_class):
    @PROPERTY_SETTINGS
    @given(data=_inputs(schema_class))
    def check(data):
        loaded, pt_messages = _load(app, schema_class, data, "pt-PT")
        _, en_messages = _load(app, schema_class, data, "en")
        if loaded is not None:
            assert en_messages is None
            return
        assert [path for path, _ in pt_messages] == [path for path, _ in en_messages]
        for (path, pt), (_, en) in zip(pt_messages, en_messages):
            assert pt != en, f"{schema_class.__name__}.{'.'.join(path)}: untranslated message {en!r}"

    check()


def _jsonable(data):
    return json.loads(json.dumps(data, default=lambda value: value.isoformat()))


def test_a_nested_value_that_is_not_an_object_gets_a_translated_message(app):
    """Found by the property above (whose examples draw on the project's own constants, so they
    change with unrelated code): marshmallow's message for a nested schema."""
    def message(locale):
        _, messages = _load(app, MentorSchema, {"languages": [False]}, locale)
        return dict(messages)[("languages", "0", "_schema")]

    assert message("pt-PT") != message("en")


@pytest.mark.parametrize("schema_class", SCHEMAS, ids=lambda schema: schema.__name__)
def test_what_loads_loads_again_to_the_same_data(app, schema_class):
    @PROPERTY_SETTINGS
    @given(data=_inputs(schema_class))
    def check(data):
        loaded, _ = _load(app, schema_class, data, "en")
        if loaded is not None:
            again, errors = _load(app, schema_class, _jsonable(loaded), "en")
            assert errors is None and again == loaded

    check()


valid_mentor = st.fixed_dictionaries({
    "full_name": st.text(min_size=1, max_size=200).filter(lambda text: "\x00" not in text),
    "municipality": st.sampled_from(["Lisboa", "Porto", "Vila Real de Santo António"]),
    "email": st.sampled_from(["ana@example.pt", "rui.silva@example.org"]),
    "hours_per_week": st.integers(1, 40),
    "availability_days": st.lists(st.sampled_from(["mon", "tue", "sat"]), unique=True),
    "training_completed_on": st.dates(max_value=date.today()).map(date.isoformat),
    "skills": st.text(max_size=1000).filter(lambda text: "\x00" not in text),
})


def test_valid_participants_always_load_and_round_trip(app):
    @PROPERTY_SETTINGS
    @given(data=valid_mentor)
    def check(data):
        loaded, errors = _load(app, MentorSchema, data, "en")
        assert errors is None
        # Blank optional text is "not given" (None), as a blank form input is.
        assert loaded["full_name"] == data["full_name"] and loaded["skills"] == (data["skills"] or None)
        assert _load(app, MentorSchema, _jsonable(loaded), "en")[0] == loaded

    check()


hostile_text = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["<script>alert(1)</script>", "'; DROP TABLE mentors; --", "\" onmouseover=\"x()",
                     "{{ 7*7 }}", "<img src=x onerror=alert(1)>", "Robert'); DELETE FROM users;--"]),
).filter(lambda text: "\x00" not in text and text.strip())


def test_text_is_kept_verbatim_and_rendered_escaped(app):
    @PROPERTY_SETTINGS
    @given(text=hostile_text)
    def check(text):
        loaded, errors = _load(app, MeetingSchema, {"held_on": "2026-01-05", "duration_minutes": 30,
                                                    "mode": "online", "notes": text}, "en")
        assert errors is None and loaded["notes"] == text
        with app.test_request_context():
            shown = render_template_string("<p>{{ notes }}</p>", notes=text)
        assert "<" not in shown[3:-4] and ">" not in shown[3:-4]
        assert "{{" not in text or "49" not in shown.replace(text, "")  # never evaluated as a template

    check()
