"""Requests for help on Min side: a parent sees the requests they sent, matched by identity
alone, with the status a family understands, and every read is audited."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from familiebro.cases.help_requests import services
from familiebro.cases.models import HelpRequest
from familiebro.core import crypto
from familiebro.portal import services as portal
from familiebro.privacy.audit import AuditEvent
from familiebro.privacy.family import Citizen
from tests.cases.factories import HelpRequestFactory

pytestmark = pytest.mark.django_db

MOTHER = Citizen(identity_hash=crypto.lookup_hash("01018412345"))
NEIGHBOUR = Citizen(identity_hash=crypto.lookup_hash("02028412345"))


def test_a_parent_sees_only_the_requests_she_sent_with_their_status():
    mine = HelpRequestFactory(requester_identity_hash=MOTHER.identity_hash)
    closed = HelpRequestFactory(
        requester_identity_hash=MOTHER.identity_hash, status=HelpRequest.Status.CLOSED
    )
    HelpRequestFactory(requester_identity_hash=NEIGHBOUR.identity_hash)
    HelpRequestFactory(requester_name="Same Name")  # sent without login: nobody's
    shown = {sent.reference: sent.status for sent in portal.sent_requests(MOTHER)}
    assert shown == {mine.reference: "Received", closed.reference: "Closed"}


def test_a_request_made_a_case_reads_as_contacted():
    HelpRequestFactory(
        requester_identity_hash=MOTHER.identity_hash, status=HelpRequest.Status.CONVERTED
    )
    assert [sent.status for sent in portal.sent_requests(MOTHER)] == ["Contacted"]


def test_reading_the_requests_is_audited_per_organisation_as_the_citizen():
    sent = HelpRequestFactory(requester_identity_hash=MOTHER.identity_hash)
    portal.sent_requests(MOTHER)
    event = AuditEvent.objects.get(object_type="cases.helprequest", action="list")
    assert event.actor_label == MOTHER.audit_label
    assert event.object_ids == [str(sent.pk)] or event.object_ids == [sent.pk]
    assert event.organisation_id == sent.organisation_id


def test_a_citizen_without_requests_reads_nothing_and_nothing_is_audited():
    assert portal.sent_requests(NEIGHBOUR) == []
    assert not AuditEvent.objects.filter(object_type="cases.helprequest").exists()


def test_logging_in_from_the_receipt_lets_the_parent_follow_a_fresh_web_request():
    fresh = HelpRequestFactory()
    assert services.claim_for_sender(MOTHER, fresh.reference) == fresh
    fresh.refresh_from_db()
    assert fresh.requester_identity_hash == MOTHER.identity_hash
    assert AuditEvent.objects.filter(action="change", object_type="cases.helprequest").exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"received_at": timezone.now() - datetime.timedelta(hours=2)},
        {"channel": HelpRequest.Channel.PHONE},
        {"requester_identity_hash": NEIGHBOUR.identity_hash},
        {"requester_role": HelpRequest.RequesterRole.YOUNG_PERSON},
    ],
    ids=["too old", "registered by staff", "already someone's", "a young person's"],
)
def test_only_a_fresh_unmatched_web_request_can_be_followed(fields):
    request = HelpRequestFactory(**fields)
    assert services.claim_for_sender(MOTHER, request.reference) is None
    request.refresh_from_db()
    assert request.requester_identity_hash != MOTHER.identity_hash
