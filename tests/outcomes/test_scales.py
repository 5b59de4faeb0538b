"""Session scales in a case: recording, the alert to the coordinator, who sees the graph, and
what bad input gets."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from familiebro.cases import participant_services
from familiebro.cases.models import Notification
from familiebro.outcomes import scale_services
from familiebro.outcomes.models import Instrument, ScaleScore
from familiebro.privacy.models import AuditEvent
from tests.cases import builders
from tests.outcomes.helpers import Setting, alliance_lines, lines, set_norm
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

WELLBEING, ALLIANCE = Instrument.Kind.WELLBEING, Instrument.Kind.ALLIANCE


@pytest.fixture
def setting():
    return Setting.make()


def record(setting, rater, kind, session, total):
    answers = lines(total) if kind == WELLBEING else alliance_lines(total)
    return scale_services.record_score(
        setting.town.nurse, setting.case, rater.pk, kind, session, answers
    )


def alerts(setting):
    return list(Notification.objects.filter(user=setting.town.nurse).values_list("text", flat=True))


def test_a_score_recorded_on_screen_is_the_sum_and_audited(setting):
    score = record(setting, setting.mother, WELLBEING, 1, 23)
    assert (score.total, score.session, score.channel) == (23, 1, "screen")
    assert score.answers == {"meg-selv": 10, "familie": 10, "hverdag": 3, "alt-i-alt": 0}
    created = AuditEvent.objects.filter(object_type="outcomes.scalescore", action="create")
    assert [e.object_ids for e in created] == [[str(score.pk)]]


def test_the_same_session_twice_is_refused_with_what_to_do(setting):
    record(setting, setting.mother, WELLBEING, 1, 20)
    with pytest.raises(ValidationError, match="already filled"):
        record(setting, setting.mother, WELLBEING, 1, 25)
    # The father fills the same session: several raters in one case.
    record(setting, setting.father, WELLBEING, 1, 25)
    assert ScaleScore.objects.filter(case=setting.case).count() == 2


def test_a_wellbeing_score_below_the_band_alerts_the_coordinator(setting):
    set_norm("trivsel", {"expected_change": [0, 4, 6], "band": 3})
    record(setting, setting.mother, WELLBEING, 1, 20)
    record(setting, setting.mother, WELLBEING, 2, 21)  # orange: within the band (24 - 3)
    assert alerts(setting) == []
    record(setting, setting.mother, WELLBEING, 3, 20)  # red: below 26 - 3
    [text] = alerts(setting)
    assert setting.case.reference in text
    assert "Mor" not in text  # the notification names the case only
    assert "referral" in text or "henvisning" in text


def test_an_alliance_below_its_cutoff_or_falling_alerts_the_coordinator(setting):
    record(setting, setting.mother, ALLIANCE, 1, 38)
    record(setting, setting.mother, ALLIANCE, 2, 39)
    assert alerts(setting) == []
    record(setting, setting.mother, ALLIANCE, 3, 37)  # falling, though above 36
    assert len(alerts(setting)) == 1
    record(setting, setting.father, ALLIANCE, 1, 30)  # below the cut-off at once
    assert len(alerts(setting)) == 2


def test_only_who_works_on_the_case_records(setting):
    town = setting.town
    with pytest.raises(PermissionDenied):
        scale_services.record_score(
            town.team_leader, setting.case, setting.mother.pk, WELLBEING, 1, lines(20)
        )
    with pytest.raises(PermissionDenied):
        scale_services.add_rater(town.teacher, setting.case, "Lærer", "collateral")
    assert not ScaleScore.objects.exists()


def test_a_rater_of_another_case_is_refused(setting):
    other = builders.open_concern(setting.town.nurse, setting.town.health_centre)
    with pytest.raises(ValidationError, match="who is answering"):
        scale_services.record_score(
            setting.town.nurse, other, setting.mother.pk, WELLBEING, 1, lines(20)
        )


# The page ------------------------------------------------------------------------------------


def page(user, setting):
    return logged_in(user).get(reverse("outcomes:scales", args=[setting.case.pk]))


def test_the_case_staff_see_the_graph_with_its_numbers(setting):
    set_norm("trivsel", {"expected_change": [0, 4], "band": 3})
    record(setting, setting.mother, WELLBEING, 1, 18)
    record(setting, setting.mother, ALLIANCE, 1, 38)
    record(setting, setting.mother, WELLBEING, 2, 23)
    response = page(setting.town.nurse, setting)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and 'role="img"' in html
    assert "Endringsgraf for Mor" in html
    # The table: the scores, and the expected 22.0 at session 2 (18 + 4).
    assert "<td>23</td>" in html and "22,0" in html and "<td>38</td>" in html
    assert "Grønn: på eller over forventet forløp" in html
    assert "normdata" in html


def test_the_page_says_when_the_trajectory_comes_from_the_case_mix(setting):
    from tests.outcomes.helpers import score_series

    wellbeing = Instrument.objects.get(key="trivsel")
    for _ in range(5):
        score_series(setting, wellbeing, [10, 16])
    html = page(setting.town.nurse, setting).content.decode()
    assert "sakssammensetningen" in html


def test_a_service_under_consent_for_outcome_scores_sees_them_and_writes_nothing(setting):
    town = setting.town
    builders.coordination_consent(
        setting.case, town.bup, scope=("measures_and_plans", "outcome_scores")
    )
    participant_services.add_participant(town.nurse, setting.case, unit=town.bup, role="BUP")
    record(setting, setting.mother, WELLBEING, 1, 27)
    response = page(town.psychiatrist, setting)
    assert response.status_code == 200
    assert "<td>27</td>" in response.content.decode()
    # Reading is not changing: no forms, and a post is refused.
    assert "Legg til" not in response.content.decode()
    posted = logged_in(town.psychiatrist).post(
        reverse("outcomes:add-rater", args=[setting.case.pk]),
        {"rater-label": "Lærer", "rater-kind": "collateral"},
    )
    assert posted.status_code == 302
    assert setting.case.outcome_raters.count() == 2


def test_a_consent_without_outcome_scores_opens_the_case_but_not_the_scores(setting):
    town = setting.town
    builders.coordination_consent(setting.case, town.bup, scope=("measures_and_plans",))
    participant_services.add_participant(town.nurse, setting.case, unit=town.bup, role="BUP")
    record(setting, setting.mother, WELLBEING, 1, 27)
    response = page(town.psychiatrist, setting)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<td>27</td>" not in html and "Mor" not in html


@pytest.mark.parametrize("who", ["teacher", "psychiatrist", "therapist"])
def test_another_unit_or_organisation_without_consent_is_not_found(setting, who):
    record(setting, setting.mother, WELLBEING, 1, 27)
    user = getattr(setting.town, who)
    for name in ("outcomes:scales", "outcomes:fill"):
        assert logged_in(user).get(reverse(name, args=[setting.case.pk])).status_code == 404


def test_another_familys_case_is_not_found(setting):
    elsewhere = builders.municipality()
    other_case = builders.open_concern(elsewhere.nurse, elsewhere.health_centre)
    response = logged_in(setting.town.nurse).get(reverse("outcomes:scales", args=[other_case.pk]))
    assert response.status_code == 404
    assert (
        logged_in(setting.town.nurse).get(reverse("outcomes:scales", args=[999999])).status_code
        == 404
    )


def test_an_anonymous_visitor_is_sent_to_the_login(client, setting):
    response = client.get(reverse("outcomes:scales", args=[setting.case.pk]))
    assert response.status_code == 302 and "logg-inn" in response["Location"]


def test_filling_on_screen_through_the_page(setting):
    client = logged_in(setting.town.nurse)
    url = reverse("outcomes:fill", args=[setting.case.pk])
    query = f"?utfyller={setting.mother.pk}&skala=trivsel"
    form = client.get(url + query)
    assert form.status_code == 200 and 'value="1"' in form.content.decode()
    response = client.post(url + query, {"session": "1", **lines(24)})
    assert response.status_code == 302
    assert ScaleScore.objects.get(rater=setting.mother).total == 24


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"session": "abc", **lines(20)},
        {"session": "0", **lines(20)},
        {"session": "1", "meg-selv": "11", "familie": "x"},
        {"session": "1", "meg-selv": ["1", "2"]},
    ],
)
def test_malformed_answers_get_a_clear_message_and_nothing_is_written(setting, data):
    url = reverse("outcomes:fill", args=[setting.case.pk]) + f"?utfyller={setting.mother.pk}"
    response = logged_in(setting.town.nurse).post(url, data)
    assert response.status_code == 400
    assert "Sjekk dette" in response.content.decode()
    assert not ScaleScore.objects.exists()


@pytest.mark.parametrize("rater", ["", "abc", "999999"])
def test_filling_for_an_unknown_rater_goes_back_with_a_message(setting, rater):
    url = reverse("outcomes:fill", args=[setting.case.pk]) + f"?utfyller={rater}"
    response = logged_in(setting.town.nurse).post(url, {"session": "1", **lines(20)}, follow=True)
    assert response.status_code == 200
    assert "Velg hvem som svarer" in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"rater-label": "   ", "rater-kind": "parent"},
        {"rater-label": "Mor", "rater-kind": "x"},
        {"rater-label": "12345678901", "rater-kind": "parent"},
    ],
)
def test_adding_a_rater_with_bad_input_says_what_to_do(setting, data):
    response = logged_in(setting.town.nurse).post(
        reverse("outcomes:add-rater", args=[setting.case.pk]), data
    )
    assert response.status_code == 400
    assert setting.case.outcome_raters.count() == 2


def test_the_page_takes_the_same_number_of_queries_for_more_raters_and_scores(setting):
    client = logged_in(setting.town.nurse)
    url = reverse("outcomes:scales", args=[setting.case.pk])
    record(setting, setting.mother, WELLBEING, 1, 20)
    client.get(url)  # warms the case-mix cache

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = count()
    for session in range(2, 8):
        record(setting, setting.mother, WELLBEING, session, 20 + session)
        record(setting, setting.father, ALLIANCE, session, 38)
    for label in ("Ola", "Kari", "Lærer"):
        rater = scale_services.add_rater(setting.town.nurse, setting.case, label, "collateral")
        record(setting, rater, WELLBEING, 1, 15)
    assert count() == few
