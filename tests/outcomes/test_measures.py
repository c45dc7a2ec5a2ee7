"""The GAS T-score against worked examples, and the change from the start to closing."""
import pytest

from tenants.outcomes.measures import VERSIONS, band_mean, change, current_measures, gas_t_score, t_band


@pytest.mark.parametrize(("scores", "weights", "expected"), [
    # Every goal at the expected outcome: 50, whatever the number of goals.
    ([0, 0, 0], None, 50.0),
    # One goal: T = 50 + 10 x (the denominator is 1).
    ([1], None, 60.0),
    ([-2], None, 30.0),
    # Three equally weighted goals (rho = 0.3): the coefficient is 10 / sqrt(0.7 * 3 + 0.3 * 9) = 4.564;
    # all three at -1 (the usual baseline) give 36.3, the example of Turner-Stokes (2009, Clin Rehabil 23:362).
    ([-1, -1, -1], None, 36.31),
    ([1, 1, 1], None, 63.69),
    ([2, 0, -1], None, 54.56),
    # Weighted (Kiresuk & Sherman's general formula): w = (1, 2, 3), x = (+1, 0, -1):
    # 50 + 10 * (-2) / sqrt(0.7 * 14 + 0.3 * 36) = 45.59.
    ([1, 0, -1], [1, 2, 3], 45.59),
    # Five goals at +2: 50 + 100 / sqrt(3.5 + 7.5) = 80.15.
    ([2] * 5, None, 80.15),
])
def test_gas_t_score_of_worked_examples(scores, weights, expected):
    assert gas_t_score(scores, weights) == pytest.approx(expected, abs=0.005)


def test_gas_t_score_refuses_what_is_no_scoring():
    assert gas_t_score([]) is None
    with pytest.raises(ValueError):
        gas_t_score([1, 0], [1])
    with pytest.raises(ValueError):
        gas_t_score([1], [0])


def test_bands_and_their_mean():
    assert [t_band(t) for t in (12.0, 36.31, 50.0, 54.99, 80.15, 95)] == [20, 35, 50, 50, 80, 80]
    assert band_mean({"50": 2, "60": 2}) == 57.5
    assert band_mean({}) is None


def test_change_follows_each_indicators_order_and_leaves_out_what_does_not_apply():
    measures = current_measures()
    portuguese, qualification = measures.indicator("portuguese"), measures.indicator("qualification")
    assert change(portuguese, "a1", "b1") == "improved"
    assert change(portuguese, "b1", "b1") == "same"
    assert change(portuguese, "b1", "a2") == "worse"
    assert change(portuguese, None, "b1") is None
    assert change(qualification, "not_needed", "obtained") is None
    assert change(qualification, "not_started", "started") == "improved"


def test_every_indicator_has_its_question_and_levels_in_both_languages(app_context):
    from flask_babel import force_locale

    for version in VERSIONS.values():
        for indicator in (*version.mentee, *version.mentor):
            with force_locale("pt_PT"):
                portuguese = [str(indicator.question), *(str(label) for _, label in indicator.levels)]
            with force_locale("en"):
                english = [str(indicator.question), *(str(label) for _, label in indicator.levels)]
            assert portuguese[0] != english[0], indicator.code
            assert len(portuguese) == len(english)
