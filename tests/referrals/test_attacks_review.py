"""An outside reviewer's attacks on referrals: sending across a duty of confidentiality
without the family's consent, what the audit trail keeps of such a disclosure, who reaches a
referral, and malformed input. Each test says what the attacker does and what must hold."""

from __future__ import annotations

import pytest
from django.urls import reverse

from familiebro.core.models import Membership
from familiebro.privacy.models import AuditEvent
from familiebro.referrals import services
from familiebro.referrals.models import Ground, Referral, Status
from tests.privacy import factories as make
from tests.referrals import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return builders.world()


def detail(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def _sending_event(referral: Referral) -> AuditEvent:
    """The audit event that recorded the referral's move from draft to sent."""
    return next(
        event
        for event in AuditEvent.objects.filter(object_type="referrals.referral").order_by("-pk")
        if str(referral.pk) in event.object_ids and event.detail.get("status") == ["draft", "sent"]
    )


def test_a_worker_cannot_bypass_the_consent_gate_with_ten_characters_of_nonsense(w):
    """Attacker: a nurse with no consent from the family sends the child's referral to BUP
    (another organisation, another duty of confidentiality), typing "xxxxxxxxxx" where the
    legal basis goes. The architecture says crossing without consent is a disclosure by the
    holding service, decided and recorded by it, on a recognised ground (the disclosure flow
    asks the holding unit's leader, with a ground from a fixed list). What must hold: a
    made-up basis, written by any worker on their own say-so, does not disclose the family's
    information to another organisation."""
    referral = builders.draft(w)
    nurse = make.logged_in(w.town.nurse)

    nurse.post(reverse("referrals:send", args=[referral.pk]), {"legal_basis": "x" * 10})

    referral.refresh_from_db()
    assert referral.status == Status.DRAFT, (
        f"sent to {referral.to_unit.name} without consent on the basis {referral.legal_basis!r}"
    )


def test_a_referral_sent_without_consent_is_audited_as_a_disclosure_on_its_legal_basis(w):
    """Attacker (or a careless worker): sends a referral to another organisation on a written
    legal basis, without the family's consent. The architecture says such a crossing is
    "logged as such and shown to the family". What must hold: the audit event of the sending
    names its ground (the legal basis, or the consent it went on), so the family's access log
    and the controller's review can tell a disclosure without consent from routine work."""
    referral = builders.draft(w)
    basis = "Pasient- og brukerrettighetsloven § 4-1"

    # Sent by the one who may send without consent (the test above: not any worker), on the
    # ground a leader chooses with the provision named.
    services.send(
        w.town.nurse_leader, referral.pk, ground=Ground.LEGAL_PROVISION, legal_basis=basis
    )

    sending = _sending_event(referral)
    recorded = f"{sending.legal_basis} {sending.detail}"
    assert basis in recorded or "legal" in sending.legal_basis, (
        f"the disclosure is audited as {sending.legal_basis!r} with {sending.detail!r}"
    )


def test_a_referral_sent_on_consent_is_audited_with_that_consent(w):
    """Attacker: none; the family's access log must be able to say which consent carried
    their data to another organisation. What must hold: the audit event of the sending names
    the consent (AuditEvent.consent_id), as every other read or write under consent does."""
    consent = builders.referral_consent(w)
    referral = builders.draft(w)

    services.send(w.town.nurse, referral.pk)

    referral.refresh_from_db()
    assert referral.consent_id == consent.pk
    sending = _sending_event(referral)
    assert sending.consent_id == consent.pk or sending.legal_basis == "consent", (
        f"the disclosure under consent {consent.pk} is audited as {sending.legal_basis!r}, "
        f"consent {sending.consent_id}"
    )


def test_a_superscript_digit_in_the_inbox_filter_is_not_a_server_error(w):
    """Attacker: a logged-in worker asks for /ansatt/henvisninger/?unit=² (a superscript
    two). str.isdigit() says yes to it and int() then raises (referrals/pages.inbox). What
    must hold: bad input is answered, never a 500."""
    builders.sent(w)
    bup = make.logged_in(w.town.psychiatrist)
    bup.raise_request_exception = False

    response = bup.get(reverse("referrals:inbox"), {"unit": "²"})

    assert response.status_code < 500


def test_nobody_outside_the_two_units_reaches_a_referral_or_changes_its_status(w):
    """Attacker: a colleague of another unit in the same municipality (the kindergarten, the
    education domain; the team), the receiving unit's administrator, another organisation's
    staff, a deactivated receiver: each opens the referral's page and posts status changes
    and a send with other ids. What must hold (and does): not found, and nothing changes."""
    referral = builders.sent(w)
    gone = make.member(w.town.bup, Membership.Role.WORKER, first_name="Sluttet")
    gone.is_active = False
    gone.save()
    strangers = [w.town.teacher, w.town.team_leader, w.bup_admin, w.outsider, gone]
    for stranger in strangers:
        client = make.logged_in(stranger)
        assert client.get(detail(referral)).status_code in (302, 403, 404), stranger
        for to in (Status.ACCEPTED, Status.RETURNED, Status.WITHDRAWN):
            response = client.post(
                reverse("referrals:status", args=[referral.pk]),
                {"to": to, "reason": "Ikke vår oppgave i det hele tatt."},
            )
            assert response.status_code in (302, 403, 404), (stranger, to)
    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_the_sender_cannot_make_the_receivers_changes_nor_skip_a_reason(w):
    """Attacker: the referring nurse forges the status form: accepts her own referral,
    completes it, and the receiver returns it without a reason. What must hold (and does):
    each side makes only its own changes, and a return needs a reason."""
    referral = builders.sent(w)
    nurse = make.logged_in(w.town.nurse)
    for to in (Status.ACCEPTED, Status.RECEIVED, Status.COMPLETED, Status.SENT, "bogus"):
        nurse.post(reverse("referrals:status", args=[referral.pk]), {"to": to})
    bup = make.logged_in(w.town.psychiatrist)
    bup.post(reverse("referrals:status", args=[referral.pk]), {"to": Status.RETURNED})
    referral.refresh_from_db()
    assert referral.status == Status.SENT
