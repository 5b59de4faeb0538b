"""Factories for requests for help. Names and numbers are made up."""

from __future__ import annotations

import datetime
import itertools

import factory
from django.utils import timezone

from familiebro.cases.help_requests import storage_notice
from familiebro.cases.models import HelpRequest
from tests import factories

_references = itertools.count(1)


class HelpRequestFactory(factory.django.DjangoModelFactory):
    """A new request sent on the web to a health centre, received now."""

    class Meta:
        model = HelpRequest

    reference = factory.LazyFunction(lambda: f"FB-TEST-{next(_references):04d}")
    unit = factory.SubFactory(factories.ServiceUnitFactory)
    organisation = factory.LazyAttribute(lambda o: o.unit.organisation)
    channel = HelpRequest.Channel.WEB
    requester_role = HelpRequest.RequesterRole.PARENT
    requester_name = factory.Sequence(lambda n: f"Forelder Nummer{n}")
    phone = "+4791234567"
    storage_notice_version = storage_notice.CURRENT_VERSION
    received_at = factory.LazyFunction(timezone.now)
    first_contact_due_at = factory.LazyAttribute(
        lambda o: o.received_at + datetime.timedelta(days=o.unit.first_contact_days)
    )
