"""Scoring, the expected trajectory and the colours, on known data with exact values."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from familiebro.outcomes import norms, scoring
from familiebro.outcomes.models import Instrument, InstrumentVersion, Item

NORM = {"expected_change": [0, 4, 6, 7], "band": 3}


@pytest.fixture
def wellbeing_items(db):
    return list(Item.objects.filter(version__instrument__key="trivsel").order_by("position"))


def test_the_score_is_the_sum_of_the_four_lines(wellbeing_items):
    answers = scoring.parse_answers(
        wellbeing_items, {"meg-selv": "3", "familie": "7", "hverdag": "10", "alt-i-alt": "0"}
    )
    assert answers == {"meg-selv": 3, "familie": 7, "hverdag": 10, "alt-i-alt": 0}
    assert scoring.total(wellbeing_items, answers) == 20


@pytest.mark.parametrize("bad", ["11", "-1", "tre", "", "3.5"])
def test_an_answer_outside_the_scale_is_refused_with_what_to_do(wellbeing_items, bad):
    data = {"meg-selv": bad, "familie": "7", "hverdag": "5", "alt-i-alt": "5"}
    with pytest.raises(ValidationError) as refused:
        scoring.parse_answers(wellbeing_items, data)
    assert list(refused.value.message_dict) == ["meg-selv"]


def test_the_norm_trajectory_gives_the_expected_score_at_each_session():
    trajectory = scoring.norm_trajectory(NORM)
    assert trajectory is not None and trajectory.source == "norm"
    assert [trajectory.expected(18, i) for i in range(6)] == [18, 22, 24, 25, 25, 25]
    assert scoring.norm_trajectory({"expected_change": "x"}) is None
    assert scoring.norm_trajectory(None) is None


@pytest.mark.parametrize(
    ("scores", "colour"),
    [
        ([], scoring.GREY),
        ([18], scoring.GREY),
        ([18, 22], scoring.GREEN),  # exactly on the trajectory (18 + 4)
        ([18, 25], scoring.GREEN),
        ([18, 21], scoring.ORANGE),
        ([18, 19], scoring.ORANGE),  # exactly at the band's lower edge (22 - 3)
        ([18, 18], scoring.RED),
        ([18, 24, 21], scoring.ORANGE),  # third score: expected 24, band down to 21
        ([18, 24, 20], scoring.RED),
    ],
)
def test_wellbeing_colours(scores, colour):
    assert scoring.wellbeing_colour(scores, scoring.norm_trajectory(NORM)) == colour


def test_without_a_trajectory_the_wellbeing_stays_grey():
    assert scoring.wellbeing_colour([10, 2], None) == scoring.GREY


@pytest.mark.parametrize(
    ("scores", "colour"),
    [
        ([], scoring.GREY),
        ([38], scoring.GREEN),
        ([36], scoring.GREEN),  # at the cut-off
        ([35], scoring.RED),  # below the cut-off
        ([40, 38], scoring.RED),  # falling, though above the cut-off
        ([38, 38], scoring.GREEN),
        ([37, 39], scoring.GREEN),
    ],
)
def test_alliance_colours(scores, colour):
    assert scoring.alliance_colour(scores, 36) == colour


def test_the_case_mix_trajectory_is_the_mean_change_with_its_spread(db):
    from tests.outcomes.helpers import Setting, score_series

    setting = Setting.make()
    wellbeing = Instrument.objects.get(key="trivsel")
    # Five raters: changes at the second score 2, 4, 6, 8, 10 (mean 6); only four reach a third
    # score, so the trajectory stops at the second.
    for first, second, third in [
        (10, 12, 14),
        (10, 14, 15),
        (10, 16, 20),
        (10, 18, 30),
        (10, 20, None),
    ]:
        score_series(setting, wellbeing, [s for s in (first, second, third) if s is not None])
    trajectory = norms.compute_case_mix(wellbeing)
    assert trajectory is not None
    assert trajectory.change == (0.0, 6.0)
    assert trajectory.source == "case_mix" and trajectory.series == 5
    # Population standard deviation of 2, 4, 6, 8, 10.
    assert trajectory.band == pytest.approx(8**0.5)


def test_the_case_mix_needs_five_series(db):
    from tests.outcomes.helpers import Setting, score_series

    setting = Setting.make()
    wellbeing = Instrument.objects.get(key="trivsel")
    for _ in range(4):
        score_series(setting, wellbeing, [10, 20])
    assert norms.compute_case_mix(wellbeing) is None
    version = InstrumentVersion.objects.get(instrument=wellbeing, number=1)
    assert norms.trajectory_for(version) is None
