"""Loading the demo data: every part's demo module, in one transaction, only where it is safe.

The data itself lives with its part: the pilot sites, services and staff logins in
familiebro.core.demo, the families in familiebro.persons.demo, the offers in
familiebro.catalogue.demo and the cases in familiebro.cases.demo. Each loader creates only what
is missing, so a second run writes nothing, not even audit events.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation

from familiebro.cases.demo import load_demo_cases
from familiebro.catalogue.demo import load_demo_offers
from familiebro.core.demo import DemoDataRefused, LoadResult, load_demo_organisations
from familiebro.groups.appointments.demo import load_demo_appointments
from familiebro.groups.courses.demo import load_demo_courses
from familiebro.persons.demo import load_demo_families
from familiebro.referrals.demo import load_demo_referrals


def demo_data_allowed() -> bool:
    return bool(settings.DEMO_MODE or settings.MODE == "test")


def load_demo_data() -> LoadResult:
    """Create whatever of the demo data is missing, in one transaction."""
    if not demo_data_allowed():
        # Demo accounts share a published password: on a real instance they would be a way in.
        raise DemoDataRefused(
            "Demo data creates staff accounts with a published password and fictional "
            "families, so it loads only on a demo or test instance. This instance runs in "
            f"{settings.MODE!r} mode; start a demo with FAMILIEBRO_MODE=demo. Nothing was changed."
        )
    result = LoadResult()
    # The texts the product writes itself into the records (a decision's question and answer
    # in the shared log, a measure's summary) are stored as written, in the language of the
    # moment: in the instance's language, as when its staff write them, whoever loads the data.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        organisations = load_demo_organisations(result)
        load_demo_families(organisations, result)
        load_demo_offers()
        result.cases += load_demo_cases()
        load_demo_referrals()
        load_demo_courses()
        load_demo_appointments()
    return result
