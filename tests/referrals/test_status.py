"""The referral's lifecycle: every legal change by the side it belongs to, every illegal one
refused, each change recorded, logged in the case and told to the referrer and coordinator."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from familiebro.cases.models import Case, LogEntry, Notification
from familiebro.core.models import Membership
from familiebro.referrals import lifecycle, services
from familiebro.referrals.models import Referral, ReferralEvent, Status
from tests.privacy import factories as make
from tests.referrals import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return builders.world()


def test_a_referral_goes_from_sent_to_completed_and_the_referrer_hears_of_each_step(w):
    referral = builders.sent(w)
    bup = w.town.psychiatrist
    for to in (Status.RECEIVED, Status.ACCEPTED, Status.STARTED, Status.COMPLETED):
        services.change_status(bup, referral.pk, to)
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED
    steps = list(referral.events.values_list("from_status", "to_status", "side"))
    assert steps == [
        ("", Status.DRAFT, "referrer"),
        (Status.DRAFT, Status.SENT, "referrer"),
        (Status.SENT, Status.RECEIVED, "receiver"),
        (Status.RECEIVED, Status.ACCEPTED, "receiver"),
        (Status.ACCEPTED, Status.STARTED, "receiver"),
        (Status.STARTED, Status.COMPLETED, "receiver"),
    ]
    # Every change is in the case's shared log (in Norwegian, the instance's language),
    # naming the service and the new status.
    log = list(LogEntry.objects.filter(case=w.case, text__contains="BUP Hamar").order_by("pk"))
    assert [entry.text.rsplit(": ", 1)[-1] for entry in log] == [
        "Sendt.",
        "Mottatt.",
        "Godtatt.",
        "Startet.",
        "Fullført.",
    ]
    # The nurse (referrer and coordinator) hears of the four changes BUP made, once each.
    notes = Notification.objects.filter(user=w.town.nurse, link__endswith=f"/{referral.pk}/")
    assert notes.count() == 4
    # The e-mails say there is news and where to read it, nothing about the child.
    to_nurse = [m for m in mail.outbox if m.to == [w.town.nurse.email]]
    assert len(to_nurse) == 4
    for message in to_nurse:
        assert "Åse" not in message.body and "BUP" not in message.body
        assert f"/ansatt/henvisninger/{referral.pk}/" in message.body


def test_the_coordinator_hears_of_changes_as_well_as_the_referrer(w):
    coordinator = make.member(w.town.health_centre, email="koordinator@example.no")
    Case.objects.filter(pk=w.case.pk).update(coordinator=coordinator)
    w.case.refresh_from_db()
    referral = builders.sent(w)
    services.change_status(w.town.psychiatrist, referral.pk, Status.ACCEPTED)
    assert Notification.objects.filter(user=coordinator).count() == 2  # sent, accepted
    assert Notification.objects.filter(user=w.town.nurse).count() == 1  # accepted
    assert any(m.to == ["koordinator@example.no"] for m in mail.outbox)


def _at(w, status: str) -> Referral:
    """A referral brought to `status` by the legal path."""
    if status == Status.DRAFT:
        builders.referral_consent(w)
        return builders.draft(w)
    referral = builders.sent(w)
    bup, reason = w.town.psychiatrist, "Fordi det trengs nå."
    path = {
        Status.SENT: [],
        Status.RECEIVED: [Status.RECEIVED],
        Status.ACCEPTED: [Status.ACCEPTED],
        Status.RETURNED: [Status.RETURNED],
        Status.STARTED: [Status.ACCEPTED, Status.STARTED],
        Status.ON_HOLD: [Status.ACCEPTED, Status.ON_HOLD],
        Status.COMPLETED: [Status.ACCEPTED, Status.STARTED, Status.COMPLETED],
    }
    if status == Status.WITHDRAWN:
        services.change_status(w.town.nurse, referral.pk, Status.WITHDRAWN, reason)
    else:
        for to in path[status]:
            services.change_status(bup, referral.pk, to, reason)
    referral.refresh_from_db()
    assert referral.status == status
    return referral


@pytest.mark.parametrize("current", Status.values)
def test_every_illegal_change_is_refused_and_changes_nothing(w, current):
    referral = _at(w, current)
    events = ReferralEvent.objects.count()
    illegal = [
        to
        for to in [*Status.values, "nonsense", ""]
        # Sending is its own action (services.send), never a status change.
        if to == Status.SENT or lifecycle.transition(current, to) is None
    ]
    assert illegal
    for to in illegal:
        for actor in (w.town.nurse, w.town.psychiatrist):
            # A draft is not sent: to the receiving unit it does not exist yet.
            refusal = (
                Http404
                if current == Status.DRAFT and actor == w.town.psychiatrist
                else ValidationError
            )
            with pytest.raises(refusal):
                services.change_status(actor, referral.pk, to, "Fordi det trengs nå.")
    referral.refresh_from_db()
    assert referral.status == current
    assert ReferralEvent.objects.count() == events


LEGAL = [
    (current, t.to, t.side)
    for current, changes in lifecycle.TRANSITIONS.items()
    for t in changes
    if t.to != Status.SENT
]


@pytest.mark.parametrize(("current", "to", "side"), LEGAL)
def test_each_legal_change_is_made_by_its_own_side_only(w, current, to, side):
    referral = _at(w, current)
    own, other = (
        (w.town.psychiatrist, w.town.nurse)
        if side == "receiver"
        else (w.town.nurse, w.town.psychiatrist)
    )
    with pytest.raises(PermissionDenied):
        services.change_status(other, referral.pk, to, "Fordi det trengs nå.")
    services.change_status(own, referral.pk, to, "Fordi det trengs nå.")
    referral.refresh_from_db()
    assert referral.status == to
    event = referral.events.latest("pk")
    assert (event.to_status, event.side, event.by_id) == (to, side, own.pk)


@pytest.mark.parametrize("to", [Status.RETURNED, Status.ON_HOLD, Status.WITHDRAWN])
def test_a_return_a_hold_and_a_withdrawal_need_a_reason(w, to):
    referral = _at(w, Status.RECEIVED)
    actor = w.town.nurse if to == Status.WITHDRAWN else w.town.psychiatrist
    with pytest.raises(ValidationError) as refused:
        services.change_status(actor, referral.pk, to, "  ")
    assert "Say why" in str(refused.value)
    services.change_status(actor, referral.pk, to, "Barnet har fått hjelp i kommunen.")
    event = referral.events.latest("pk")
    assert event.reason == "Barnet har fått hjelp i kommunen."
    log = LogEntry.objects.filter(case=w.case).latest("pk")
    assert "Barnet har fått hjelp i kommunen." in log.text


def test_a_returned_referral_is_revised_as_a_new_version_and_sent_again(w):
    referral = _at(w, Status.RETURNED)
    new = services.revise(w.town.nurse, referral.pk)
    assert (new.status, new.version, new.previous_id, new.series) == (
        Status.DRAFT,
        2,
        referral.pk,
        referral.series,
    )
    assert new.question == referral.question
    with pytest.raises(ValidationError):
        services.revise(w.town.nurse, referral.pk)
    services.send(w.town.nurse, new.pk)
    referral.refresh_from_db()
    assert referral.status == Status.RETURNED  # the returned version stays as it was


def test_only_the_referrer_revises_and_only_a_returned_referral(w):
    referral = _at(w, Status.SENT)
    with pytest.raises(ValidationError):
        services.revise(w.town.nurse, referral.pk)
    services.change_status(w.town.psychiatrist, referral.pk, Status.RETURNED, "Mangler vurdering")
    with pytest.raises(PermissionDenied):
        services.revise(w.town.psychiatrist, referral.pk)


def test_a_transfer_accepted_hands_the_coordination_to_who_accepts_it(w):
    team_kind = builders.team_kind(w)
    referral = services.start_draft(
        w.town.nurse, to_kind_id=team_kind.pk, kind=Referral.Kind.TRANSFER, case=w.case
    )
    services.save_draft(w.town.nurse, referral.pk, builders.complete_fields(answers={}))
    services.send(w.town.nurse, referral.pk)
    services.change_status(w.town.therapist, referral.pk, Status.ACCEPTED)
    w.case.refresh_from_db()
    assert w.case.coordinator_id == w.town.therapist.pk
    assert LogEntry.objects.filter(
        case=w.case, kind=LogEntry.Kind.COORDINATOR, text__contains="Tor"
    ).exists()


def test_a_transfer_to_another_organisation_is_refused(w):
    with pytest.raises(ValidationError) as refused:
        services.start_draft(
            w.town.nurse, to_kind_id=w.bup_kind.pk, kind=Referral.Kind.TRANSFER, case=w.case
        )
    assert "Send a referral instead" in str(refused.value)


def test_only_the_coordinator_or_a_leader_transfers(w):
    colleague = make.member(w.town.health_centre)
    make.assign(w.child, unit=w.town.health_centre)
    team_kind = builders.team_kind(w)
    with pytest.raises(PermissionDenied):
        services.start_draft(
            colleague, to_kind_id=team_kind.pk, kind=Referral.Kind.TRANSFER, case=w.case
        )
    # As a referral, the colleague may send the child on.
    services.start_draft(colleague, to_kind_id=team_kind.pk, case=w.case)


def test_the_same_child_referred_to_the_same_unit_within_a_year_is_flagged(w):
    import datetime

    from familiebro.referrals import pages

    first = builders.sent(w)
    second = services.send(w.town.nurse, builders.draft(w).pk)
    inbox = {row.referral.pk: row.re_referral for row in pages.inbox(w.town.psychiatrist).rows}
    assert inbox == {first.pk: False, second.pk: True}
    assert pages.referral_page(w.town.nurse, second.pk).re_referral
    # More than twelve months apart: no flag.
    Referral.objects.filter(pk=first.pk).update(
        sent_at=second.sent_at - datetime.timedelta(days=400)
    )
    inbox = {row.referral.pk: row.re_referral for row in pages.inbox(w.town.psychiatrist).rows}
    assert inbox == {first.pk: False, second.pk: False}


def test_a_new_version_is_not_a_re_referral(w):
    from familiebro.referrals import pages

    referral = _at(w, Status.RETURNED)
    new = services.send(w.town.nurse, services.revise(w.town.nurse, referral.pk).pk)
    assert not pages.referral_page(w.town.psychiatrist, new.pk).re_referral


def test_a_unit_administrator_of_the_receiving_unit_changes_nothing(w):
    referral = builders.sent(w)
    with pytest.raises(Http404):
        services.change_status(w.bup_admin, referral.pk, Status.ACCEPTED)
    leader = make.member(w.town.bup, Membership.Role.LEADER)
    services.change_status(leader, referral.pk, Status.ACCEPTED)
