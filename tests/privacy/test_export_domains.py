"""The right-of-access export holds what the exporter's own services hold, whatever else the
exporter may read."""

from __future__ import annotations

import pytest
from django.utils import timezone

from familiebro.cases import case_services
from familiebro.privacy import exceptional
from familiebro.privacy.export import export_person
from tests.cases import builders
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

REASON = "Barnehagen-9Z: mistanke om vold i hjemmet"


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


def test_an_exceptional_access_does_not_carry_another_domains_case_into_the_export(town):
    """The nurse works with the child in health; the kindergarten (education) has a case of
    its own. With a break-glass access of hers open, the export still holds the health
    services' records only ("services": health): neither the break-glass (which opens her own
    domains only) nor the export carries the kindergarten's case and log."""
    health = builders.open_concern(town.nurse, town.health_centre)
    child = health.child
    make.assign(child, user=town.teacher)  # the kindergarten knows the child too
    kindergarten = builders.open_concern(town.teacher, town.kindergarten, child=child)
    case_services.write_log_entry(town.teacher, kindergarten, kind="note", text=REASON)
    exceptional.open_access(
        town.nurse,
        person_id=child.pk,
        found_person_ids=[child.pk],
        looked_up_at=timezone.now(),
        reason="Akutt innleggelse på sykehuset i natt",
    )

    data = export_person(town.nurse, child, language="en")

    assert [s["domain"] for s in data["services"]] == ["health"]
    assert [row["id"] for row in data["cases"]] == [health.pk]
    assert REASON not in str(data)
