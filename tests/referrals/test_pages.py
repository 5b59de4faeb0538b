"""The referral pages as the nurse who refers, BUP that receives, and everyone else sees them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from familiebro.core.models import Membership
from familiebro.referrals import intake_services, services
from familiebro.referrals.models import Capacity, Intake, Referral, ReferralKind, Status
from tests.privacy import factories as make
from tests.referrals import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return builders.world()


def detail(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def test_the_nurse_writes_and_sends_a_referral_from_the_case_page(w):
    builders.referral_consent(w)
    intake_services.set_capacity(w.bup_admin, w.town.bup, Capacity.WAITING_LIST, "Om lag 8 uker")
    nurse = make.logged_in(w.town.nurse)
    case_page = nurse.get(reverse("cases:detail", args=[w.case.pk])).content.decode()
    start = reverse("referrals:start-case", args=[w.case.pk])
    assert start in case_page
    page = nurse.get(start).content.decode()
    # The capacity is shown before the nurse chooses.
    assert "Venteliste" in page and "Om lag 8 uker" in page
    response = nurse.post(start, {"to_kind": w.bup_kind.pk, "referral_type": "referral"})
    referral = Referral.objects.get()
    assert response.url == reverse("referrals:edit", args=[referral.pk])
    # Saved without everything: a draft, with each missing mark named on its page.
    nurse.post(response.url, {"question": "Hjelp?"})
    page = nurse.get(detail(referral)).content.decode()
    assert "Mangler" in page and "Send henvisningen" not in page
    form = {
        "question": builders.QUESTION,
        "assessment": builders.ASSESSMENT,
        "tried": builders.TRIED,
        "field_family_view": "Mor ønsker utredning.",
        "question_1": "Et halvt år.",
        "attachments": ["log_entries"],
    }
    assert nurse.post(reverse("referrals:edit", args=[referral.pk]), form).status_code == 302
    page = nurse.get(detail(referral)).content.decode()
    assert "Send henvisningen" in page and "Logg" in page
    nurse.post(reverse("referrals:send", args=[referral.pk]))
    referral.refresh_from_db()
    assert referral.status == Status.SENT
    assert referral.attachments[0]["category"] == "log_entries"


def test_bup_sees_it_waiting_and_returns_it_with_a_reason(w):
    referral = builders.sent(w)
    bup = make.logged_in(w.town.psychiatrist)
    inbox = bup.get(reverse("referrals:inbox")).content.decode()
    assert "Åse Sæther" in inbox and "Venter 0 dager" in inbox
    page = bup.get(detail(referral)).content.decode()
    assert builders.QUESTION in page and "Send tilbake til den som henviste" in page
    status = reverse("referrals:status", args=[referral.pk])
    response = bup.post(status, {"to": "returned", "reason": ""}, follow=True)
    assert "Si hvorfor" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.SENT
    bup.post(status, {"to": "returned", "reason": "Vi trenger en vurdering fra fastlegen først."})
    referral.refresh_from_db()
    assert referral.status == Status.RETURNED
    # The nurse sees the reason in the history and revises.
    nurse = make.logged_in(w.town.nurse)
    page = nurse.get(detail(referral)).content.decode()
    assert "fastlegen først" in page
    response = nurse.post(reverse("referrals:revise", args=[referral.pk]))
    new = Referral.objects.get(previous=referral)
    assert response.url == reverse("referrals:edit", args=[new.pk])


def test_the_inbox_filters_by_status_and_unit(w):
    referral = builders.sent(w)
    services.change_status(w.town.psychiatrist, referral.pk, Status.ACCEPTED)
    bup = make.logged_in(w.town.psychiatrist)
    assert "Åse" not in bup.get(reverse("referrals:inbox")).content.decode()
    accepted = bup.get(reverse("referrals:inbox"), {"status": "accepted"}).content.decode()
    assert "Åse" in accepted
    for query in ({"status": "nonsense"}, {"unit": "abc"}, {"unit": "999999"}):
        assert bup.get(reverse("referrals:inbox"), query).status_code == 200


def test_the_sent_list_shows_what_has_had_no_answer_after_n_days(w):
    import datetime

    referral = builders.sent(w)
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=referral.sent_at - datetime.timedelta(days=20)
    )
    nurse = make.logged_in(w.town.nurse)
    sent = reverse("referrals:sent")
    assert "Åse" in nurse.get(sent, {"ubesvart": "1", "dager": "14"}).content.decode()
    assert "Åse" not in nurse.get(sent, {"ubesvart": "1", "dager": "30"}).content.decode()
    assert "Venter 20 dager" in nurse.get(sent).content.decode()
    for days in ("abc", "-4", "99999999999"):
        assert nurse.get(sent, {"ubesvart": "1", "dager": days}).status_code == 200


def test_a_draft_is_the_senders_alone_until_it_is_sent(w):
    builders.referral_consent(w)
    draft = builders.draft(w)
    bup = make.logged_in(w.town.psychiatrist)
    assert bup.get(detail(draft)).status_code == 404
    assert "Åse" not in bup.get(reverse("referrals:inbox"), {"status": "closed"}).content.decode()
    assert make.logged_in(w.town.nurse).get(detail(draft)).status_code == 200
    services.send(w.town.nurse, draft.pk)
    assert bup.get(detail(draft)).status_code == 200


def test_a_referral_is_not_found_by_anyone_but_the_two_units(w):
    referral = builders.sent(w)
    url = detail(referral)
    assert make.logged_in(w.town.nurse).get(url).status_code == 200
    assert make.logged_in(w.town.nurse_leader).get(url).status_code == 200
    assert make.logged_in(w.town.psychiatrist).get(url).status_code == 200
    for stranger in (
        w.outsider,  # another organisation's staff
        w.town.teacher,  # another unit of the same organisation
        w.bup_admin,  # the receiving unit's administrator: no casework
        make.member(make.unit(w.town.bup.organisation, name="BUP Gjøvik", kind="bup")),
    ):
        client = make.logged_in(stranger)
        assert client.get(url).status_code == 404
        for action in ("referrals:status", "referrals:send", "referrals:revise"):
            response = client.post(reverse(action, args=[referral.pk]), {"to": "accepted"})
            assert response.status_code in (403, 404)
        assert client.get(reverse("referrals:edit", args=[referral.pk])).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Status.SENT
    # Nobody logged in as staff (a visitor, or a parent on Min side) is sent to log in.
    response = Client().get(url)
    assert response.status_code == 302 and "/konto/logg-inn/" in response.url


def test_a_parent_logged_in_on_min_side_reaches_no_referral(w, client):
    from familiebro.core import crypto
    from familiebro.portal import session as portal_session

    referral = builders.sent(w)
    session = client.session
    session[portal_session.CITIZEN_KEY] = {
        "identity_hash": crypto.lookup_hash("01048512345"),
        "id_token": "",
        "acr": "idporten-loa-high",
    }
    session.save()
    response = client.get(detail(referral))
    assert response.status_code == 302


def test_malformed_posts_give_a_clear_answer_and_change_nothing(w):
    referral = builders.sent(w)
    bup = make.logged_in(w.town.psychiatrist)
    status = reverse("referrals:status", args=[referral.pk])
    for data in ({}, {"to": "x" * 500}, {"to": ["accepted", "returned"], "reason": "x" * 9000}):
        response = bup.post(status, data, follow=True)
        assert response.status_code == 200
    assert bup.post(reverse("referrals:status", args=[999999]), {"to": "accepted"}).status_code in (
        403,
        404,
    )
    referral.refresh_from_db()
    assert referral.status == Status.SENT
    nurse = make.logged_in(w.town.nurse)
    start = reverse("referrals:start-case", args=[w.case.pk])
    for data in (
        {},
        {"to_kind": "abc"},
        {"to_kind": "999999"},
        {"to_kind": w.bup_kind.pk, "referral_type": "x"},
    ):
        assert nurse.post(start, data).status_code == 400
    assert nurse.get(reverse("referrals:start-case", args=[999999])).status_code == 404
    # The draft form: other people's answers and attachments outside consent are refused.
    draft = builders.draft(w)
    edit = reverse("referrals:edit", args=[draft.pk])
    assert nurse.post(edit, {"attachments": ["documents"]}).status_code == 400
    assert Referral.objects.filter(status=Status.DRAFT).count() == 1
    without_case = services.start_draft(w.town.nurse, to_kind_id=w.bup_kind.pk, person=w.child)
    edit = reverse("referrals:edit", args=[without_case.pk])
    assert nurse.post(edit, {"responsibility_group": "maybe"}).status_code == 400
    without_case.refresh_from_db()
    assert without_case.responsibility_group == ""


def test_a_referral_without_a_case_is_written_from_the_person_page(w):
    builders.referral_consent(w)
    nurse = make.logged_in(w.town.nurse)
    person_page = nurse.get(reverse("person-detail", args=[w.child.pk])).content.decode()
    start = reverse("referrals:start-person", args=[w.child.pk])
    assert start in person_page
    assert "Overføring" not in nurse.get(start).content.decode()
    response = nurse.post(start, {"to_kind": w.bup_kind.pk})
    referral = Referral.objects.get()
    assert referral.case_id is None and response.status_code == 302
    page = nurse.get(reverse("referrals:edit", args=[referral.pk])).content.decode()
    assert "Finnes det en ansvarsgruppe?" in page
    # Someone who does not know the child cannot start one.
    assert make.logged_in(w.town.teacher).get(start).status_code == 404


def test_the_unit_administrator_sets_what_the_unit_takes_and_its_capacity(w):
    admin = make.logged_in(w.bup_admin)
    intake = reverse("referrals:intake", args=[w.town.bup.pk])
    assert "Utredning i BUP" in admin.get(intake).content.decode()
    admin.post(intake, {"capacity": "full", "note": "Ingen nye før mars"})
    assert Intake.objects.get(unit=w.town.bup).capacity == Capacity.FULL
    assert admin.post(intake, {"capacity": "lots"}).status_code == 400
    new = reverse("referrals:kind-new", args=[w.town.bup.pk])
    response = admin.post(
        new,
        {
            "topic": "habilitation",
            "name": "Habiliteringsutredning",
            "required_fields": ["child_view", "health"],
            "questions": "Har barnet en diagnose?",
            "taking": "on",
        },
    )
    assert response.status_code == 302
    kind = ReferralKind.objects.get(name="Habiliteringsutredning")
    assert kind.required_fields == ["child_view", "health"]
    assert (
        admin.post(new, {"topic": "habilitation", "name": "Habiliteringsutredning"}).status_code
        == 400
    )
    edit = reverse("referrals:kind", args=[w.town.bup.pk, kind.pk])
    admin.post(edit, {"topic": "habilitation", "name": "Habiliteringsutredning", "questions": ""})
    kind.refresh_from_db()
    assert kind.taking is False
    # A leader sets it too; a worker, another unit's administrator and another organisation's
    # staff do not find the page.
    leader = make.member(w.town.bup, Membership.Role.LEADER)
    assert make.logged_in(leader).get(intake).status_code == 200
    for stranger in (
        w.town.psychiatrist,
        make.member(w.town.health_centre, Membership.Role.UNIT_ADMIN),
        w.outsider,
    ):
        client = make.logged_in(stranger)
        assert client.get(intake).status_code == 404
        assert client.post(intake, {"capacity": "open"}).status_code == 404
        assert client.get(edit).status_code == 404
    other_kind = builders.team_kind(w)
    assert (
        admin.get(reverse("referrals:kind", args=[w.town.bup.pk, other_kind.pk])).status_code == 404
    )
    assert Intake.objects.get(unit=w.town.bup).capacity == Capacity.FULL


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_lists_cost_the_same_queries_however_many_referrals(w):
    builders.referral_consent(w)
    bup = make.logged_in(w.town.psychiatrist)
    nurse = make.logged_in(w.town.nurse)
    services.send(w.town.nurse, builders.draft(w).pk)
    counts = (_queries(bup, reverse("referrals:inbox")), _queries(nurse, reverse("referrals:sent")))
    for _ in range(4):
        services.send(w.town.nurse, builders.draft(w).pk)
    assert (
        _queries(bup, reverse("referrals:inbox")),
        _queries(nurse, reverse("referrals:sent")),
    ) == counts
