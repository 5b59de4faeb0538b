"""The five marks of a good referral, checked while the referrer writes, and the family's
consent that attachments and the sending itself rest on."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from familiebro.referrals import pages, services
from familiebro.referrals.models import Ground, Referral, Status
from familiebro.referrals.services import NotReady
from tests.referrals import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return builders.world()


def _missing(w, referral: Referral) -> list[str]:
    referral.refresh_from_db()
    return [mark.key for mark in services.missing_marks(w.town.nurse, referral)]


def _refused_send(w, referral: Referral) -> NotReady:
    with pytest.raises(NotReady) as refused:
        services.send(w.town.nurse, referral.pk)
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    return refused.value


def test_an_empty_draft_names_each_missing_mark_and_stays_a_draft(w):
    builders.referral_consent(w)
    referral = services.start_draft(w.town.nurse, to_kind_id=w.bup_kind.pk, case=w.case)
    refused = _refused_send(w, referral)
    # The case fills in responsibility group, plan and coordinator; attachments are none.
    assert [m.key for m in refused.marks] == ["required", "question", "assessment"]
    message = " ".join(refused.messages)
    assert "The family's own view and wishes" in message
    assert "Hvor lenge har vanskene vart?" in message
    assert "concrete question" in message
    assert "your own assessment and what has been tried" in message


@pytest.mark.parametrize(
    ("changes", "mark"),
    [
        ({"answers": {"question:1": "Et halvt år."}}, "required"),
        ({"answers": {"field:family_view": "Mor vil ha utredning."}}, "required"),
        ({"question": ""}, "question"),
        # A statement is no question to answer.
        ({"question": "Åse trenger utredning for angst hos BUP snart."}, "question"),
        ({"assessment": "Usikker."}, "assessment"),
        ({"tried": ""}, "assessment"),
    ],
)
def test_each_mark_missing_alone_is_named_alone(w, changes, mark):
    builders.referral_consent(w)
    referral = builders.draft(w, **changes)
    assert _missing(w, referral) == [mark]
    assert [m.key for m in _refused_send(w, referral).marks] == [mark]


def test_without_a_case_the_referrer_says_whether_there_is_a_group_and_a_plan(w):
    builders.referral_consent(w)
    referral = services.start_draft(w.town.nurse, to_kind_id=w.bup_kind.pk, person=w.child)
    services.save_draft(w.town.nurse, referral.pk, builders.complete_fields())
    assert _missing(w, referral) == ["coordination"]
    services.save_draft(
        w.town.nurse,
        referral.pk,
        builders.complete_fields(responsibility_group="no", individual_plan="no"),
    )
    assert _missing(w, referral) == []
    assert services.send(w.town.nurse, referral.pk).status == Status.SENT


def test_with_a_case_the_coordination_is_filled_in_from_it(w):
    referral = services.start_draft(w.town.nurse, to_kind_id=w.bup_kind.pk, case=w.case)
    assert (referral.responsibility_group, referral.individual_plan) == ("no", "no")
    assert referral.coordinator_name == "Hanne Helsesykepleier"


def test_the_picker_offers_only_what_a_consent_in_force_allows(w):
    consent = builders.referral_consent(w, scope=("log_entries", "measures_and_plans"))
    # A consent naming another service, or for another purpose, offers nothing.
    builders.make.consent(
        w.child, scope=("meeting_minutes",), recipient_units=[w.town.bup], giver=w.mother
    )
    referral = builders.draft(w)
    assert services.allowed_attachments(w.town.nurse, referral) == [
        ("log_entries", consent.pk),
        ("measures_and_plans", consent.pk),
    ]
    with pytest.raises(ValidationError) as refused:
        services.save_draft(
            w.town.nurse, referral.pk, builders.complete_fields(attachments=("meeting_minutes",))
        )
    assert "No consent in force" in str(refused.value)
    referral.refresh_from_db()
    assert referral.attachments == []


def test_a_withdrawn_consent_takes_its_attachments_out_of_a_draft(w):
    consent = builders.referral_consent(w)
    referral = builders.draft(w, attachments=("log_entries",))
    assert referral.attachments == [{"category": "log_entries", "consent": consent.pk}]
    consent.withdrawn_at = timezone.now()
    consent.save()
    page = pages.referral_page(w.town.nurse, referral.pk)
    assert page.pruned == 1 and page.attachments == []
    referral.refresh_from_db()
    assert referral.attachments == []


def test_sending_needs_the_familys_consent_to_the_receiver_or_the_leaders_legal_ground(w):
    referral = builders.draft(w)
    refused = _refused_send(w, referral)
    assert "no consent in force from the family to refer to BUP Hamar" in refused.messages[0]
    assert "leader" in refused.messages[0]
    # The leader's recognised ground, with the provision named, is what it was sent on.
    basis = "Pasient- og brukerrettighetsloven § 4-1 og helsepersonelloven § 25"
    sent = services.send(
        w.town.nurse_leader, referral.pk, ground=Ground.LEGAL_PROVISION, legal_basis=basis
    )
    assert (sent.status, sent.consent_id, sent.ground, sent.legal_basis) == (
        Status.SENT,
        None,
        Ground.LEGAL_PROVISION,
        basis,
    )


def test_a_consent_naming_the_receiver_is_what_the_referral_is_sent_on(w):
    consent = builders.referral_consent(w)
    sent = services.send(w.town.nurse, builders.draft(w).pk, legal_basis="ikke brukt her")
    assert (sent.consent_id, sent.legal_basis) == (consent.pk, "")


def test_an_expired_consent_does_not_let_the_referral_go(w):
    builders.referral_consent(w, valid_to=timezone.now() - timezone.timedelta(hours=1))
    _refused_send(w, builders.draft(w))


def test_within_one_service_no_consent_is_needed(w):
    kind = builders.team_kind(w)
    referral = services.start_draft(w.town.nurse, to_kind_id=kind.pk, case=w.case)
    services.save_draft(w.town.nurse, referral.pk, builders.complete_fields(answers={}))
    assert services.send(w.town.nurse, referral.pk).status == Status.SENT


def test_a_kind_the_unit_no_longer_takes_cannot_be_sent_to(w):
    builders.referral_consent(w)
    referral = builders.draft(w)
    type(w.bup_kind).objects.filter(pk=w.bup_kind.pk).update(taking=False)
    with pytest.raises(ValidationError) as refused:
        services.send(w.town.nurse, referral.pk)
    assert "no longer takes" in str(refused.value)
    with pytest.raises(ValidationError):
        services.start_draft(w.town.nurse, to_kind_id=w.bup_kind.pk, case=w.case)
