"""Sending a referral across a duty of confidentiality: on the family's consent, or as a
disclosure the sending unit's leader decides on a recognised ground, audited as such and
shown to the family in their access log."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from familiebro.core.models import ConfidentialityDomain, ServiceUnit
from familiebro.privacy import access_log, family
from familiebro.privacy.models import AuditEvent
from familiebro.referrals import intake_services, pages, permissions, services
from familiebro.referrals.models import Ground, Referral, ReferralKind, Status
from tests.privacy import factories as make
from tests.referrals import builders

pytestmark = pytest.mark.django_db

PROVISION = "Helsepersonelloven § 25: BUP skal utrede, foreldrene er informert"


@pytest.fixture
def w(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return builders.world()


def detail(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def sending_event(referral: Referral) -> AuditEvent:
    return next(
        e
        for e in AuditEvent.objects.filter(object_type="referrals.referral").order_by("-pk")
        if str(referral.pk) in e.object_ids and e.detail.get("status") == ["draft", "sent"]
    )


def log_entry(w, event: AuditEvent) -> access_log.AccessLogEntry:
    """The entry of `event` in the child's access log, in Norwegian as the family reads it."""
    parent = family.FamilyMember(w.child, family.Relation.PARENT)
    with translation.override("nb"):
        log = access_log.family_access_log(family.Citizen(identity_hash="mor"), parent)
    return next(e for e in log if e.event_id == event.pk)


def test_a_worker_cannot_send_without_consent_even_on_a_recognised_ground(w):
    referral = builders.draft(w)
    with pytest.raises(services.NotReady) as refused:
        services.send(
            w.town.nurse, referral.pk, ground=Ground.LEGAL_PROVISION, legal_basis=PROVISION
        )
    assert "Record the family's consent" in refused.value.messages[0]
    assert "ask your unit's leader" in refused.value.messages[0]
    referral.refresh_from_db()
    assert (referral.status, referral.ground, referral.legal_basis) == (Status.DRAFT, "", "")


@pytest.mark.parametrize(
    ("ground", "provision", "field"),
    [
        ("", PROVISION, "ground"),
        ("made_up", PROVISION, "ground"),
        # The duty to inform is owed to child welfare, not to BUP.
        (Ground.DUTY_TO_REPORT, PROVISION, "ground"),
        (Ground.DANGER, "§ 31", "legal_basis"),
        (Ground.DANGER, "          ", "legal_basis"),
    ],
)
def test_the_leader_sends_without_consent_only_on_a_ground_that_fits_with_the_law_named(
    w, ground, provision, field
):
    referral = builders.draft(w)
    with pytest.raises(ValidationError) as refused:
        services.send(w.town.nurse_leader, referral.pk, ground=ground, legal_basis=provision)
    assert field in refused.value.message_dict
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    assert not AuditEvent.objects.filter(detail__event="disclosed").exists()


def test_the_grounds_offered_fit_the_receiver():
    to_bup = Referral(to_unit=ServiceUnit(domain=ConfidentialityDomain.SPECIALIST_HEALTH))
    to_child_welfare = Referral(to_unit=ServiceUnit(domain=ConfidentialityDomain.CHILD_WELFARE))
    assert [g for g, _label in permissions.grounds_for(to_bup)] == [
        Ground.DANGER,
        Ground.LEGAL_PROVISION,
    ]
    assert [g for g, _label in permissions.grounds_for(to_child_welfare)] == [
        Ground.DUTY_TO_REPORT,
        Ground.DANGER,
        Ground.LEGAL_PROVISION,
    ]


def test_a_referral_the_leader_sends_without_consent_is_a_disclosure_in_the_familys_log(w):
    referral = builders.draft(w)
    services.send(w.town.nurse_leader, referral.pk, ground=Ground.DANGER, legal_basis=PROVISION)

    referral.refresh_from_db()
    assert (referral.status, referral.ground, referral.legal_basis) == (
        Status.SENT,
        Ground.DANGER,
        PROVISION,
    )
    event = sending_event(referral)
    assert (event.legal_basis, event.consent_id) == (Ground.DANGER, None)
    assert event.detail["event"] == "disclosed"
    assert event.detail["recipient"] == "BUP Hamar, Sykehuset Innlandet"
    assert event.detail["recipient_unit"] == w.town.bup.pk
    assert event.detail["recipient_organisation"] == w.town.bup.organisation_id
    # The free text the leader wrote stays on the referral, not in the audit trail.
    assert PROVISION not in str(event.detail)
    entry = log_entry(w, event)
    assert entry.what == "Utleverte opplysninger til BUP Hamar, Sykehuset Innlandet"
    assert entry.basis.startswith("For å avverge fare for liv eller alvorlig skade på helse")


def test_a_referral_sent_on_consent_names_the_consent_in_the_familys_log(w):
    consent = builders.referral_consent(w)
    referral = builders.draft(w)
    services.send(w.town.nurse, referral.pk)

    event = sending_event(referral)
    assert (event.legal_basis, event.consent_id) == ("consent", consent.pk)
    assert event.detail["recipient"] == "BUP Hamar, Sykehuset Innlandet"
    entry = log_entry(w, event)
    assert entry.what == "Utleverte opplysninger til BUP Hamar, Sykehuset Innlandet"
    assert f"Samtykke nr. {consent.pk}" in entry.basis


def test_a_referral_within_the_service_is_no_disclosure(w):
    kind = builders.team_kind(w)
    referral = services.start_draft(w.town.nurse, to_kind_id=kind.pk, case=w.case)
    referral = services.save_draft(w.town.nurse, referral.pk, builders.complete_fields())
    services.send(w.town.nurse, referral.pk, ground="made_up", legal_basis="whatever it says")

    referral.refresh_from_db()
    assert (referral.status, referral.ground, referral.legal_basis) == (Status.SENT, "", "")
    event = sending_event(referral)
    assert event.legal_basis == "own_organisation" and "event" not in event.detail


def test_the_worker_is_told_to_ask_for_consent_or_the_leader_and_gets_no_send_form(w):
    referral = builders.draft(w)
    nurse = make.logged_in(w.town.nurse)
    page = nurse.get(detail(referral)).content.decode()
    assert "Be familien om samtykke" in page
    assert 'name="ground"' not in page and 'name="legal_basis"' not in page


def test_the_leader_chooses_a_ground_and_sends_from_the_page(w):
    referral = builders.draft(w)
    leader = make.logged_in(w.town.nurse_leader)
    page = leader.get(detail(referral)).content.decode()
    assert 'value="danger"' in page and 'value="legal_provision"' in page
    # Not offered for a referral to BUP: the duty to inform is owed to child welfare.
    assert 'value="duty_to_report"' not in page

    refused = leader.post(
        reverse("referrals:send", args=[referral.pk]), {"legal_basis": PROVISION}, follow=True
    )
    assert "Velg det rettslige grunnlaget" in refused.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT

    leader.post(
        reverse("referrals:send", args=[referral.pk]),
        {"ground": "legal_provision", "legal_basis": PROVISION},
    )
    referral.refresh_from_db()
    assert (referral.status, referral.ground) == (Status.SENT, Ground.LEGAL_PROVISION)
    shown = make.logged_in(w.town.psychiatrist).get(detail(referral)).content.decode()
    assert PROVISION in shown


@pytest.mark.parametrize("odd", ["²", "١٢", "-1", "1.0", " 1"])
def test_odd_digits_in_ids_are_answered_not_a_server_error(w, odd):
    builders.sent(w)
    assert pages.inbox(w.town.psychiatrist, unit_id=odd).rows is not None
    with pytest.raises(Http404):
        intake_services.unit_to_set_up(w.bup_admin, odd)
    with pytest.raises(ValidationError):
        services.start_draft(w.town.nurse, to_kind_id=odd, case=w.case)
    assert ReferralKind.objects.count() == 1
