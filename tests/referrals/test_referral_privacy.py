"""What a referral leaves in the audit trail and the access log: the receiver reads it as
addressed to them, and that another service read it stays with the two services."""

from __future__ import annotations

import pytest
from django.core import mail

from familiebro.privacy import access_log
from familiebro.privacy.models import AuditEvent
from familiebro.referrals import pages, services
from familiebro.referrals.models import Status
from tests.privacy import factories as make
from tests.referrals import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return builders.world()


def test_the_receiver_reads_and_answers_on_the_basis_that_it_was_addressed_to_them(w):
    referral = builders.sent(w)
    pages.referral_page(w.town.psychiatrist, referral.pk)
    services.change_status(w.town.psychiatrist, referral.pk, Status.ACCEPTED)
    events = AuditEvent.objects.filter(
        actor_id=w.town.psychiatrist.pk, object_type="referrals.referral"
    )
    assert {e.legal_basis for e in events} == {"addressed_to_them"}
    assert {e.action for e in events} >= {"view", "change"}
    assert all(e.subject_ids == [str(w.child.pk)] for e in events)
    nurse_events = AuditEvent.objects.filter(
        actor_id=w.town.nurse.pk, object_type="referrals.referral"
    )
    # The nurse writes on her own service's records; sending is a disclosure on the consent.
    assert {e.legal_basis for e in nurse_events} == {"own_organisation", "consent"}
    (sending,) = [e for e in nurse_events if e.legal_basis == "consent"]
    assert sending.consent_id == referral.consent_id


def test_the_receiving_unit_is_told_by_e_mail_without_the_childs_details(w):
    type(w.town.bup).objects.filter(pk=w.town.bup.pk).update(email="bup@example.no")
    w.town.bup.refresh_from_db()
    builders.sent(w)
    (message,) = [m for m in mail.outbox if m.to == ["bup@example.no"]]
    assert "Åse" not in message.body and "Sæther" not in message.body
    assert "/ansatt/henvisninger/" in message.body


def test_another_service_knowing_the_child_does_not_learn_from_the_access_log_that_bup_read_it(
    w,
):
    referral = builders.sent(w)
    pages.referral_page(w.town.psychiatrist, referral.pk)
    # The kindergarten teacher works with the child too, in another duty of confidentiality.
    make.assign(w.child, user=w.town.teacher)
    teachers = access_log.access_log_for(w.town.teacher, w.child)
    assert not [e for e in teachers if "Psykiater" in e.actor_name]
    nurses = access_log.access_log_for(w.town.nurse, w.child)
    assert [e for e in nurses if "Psykiater" in e.actor_name]
