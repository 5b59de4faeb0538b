"""Property tests: consents granted and withdrawn over time never open more than they should.

Hypothesis draws sequences of consent grants (purpose, scope, recipient, validity window),
withdrawals and clock ticks. After every step the policy's answer for a staff member of another
organisation must equal the rule worked out here from the consents alone: the person is visible
for a purpose exactly when some consent is in force now, names that purpose, names the viewer's
organisation or unit, and covers the category read. The clock is ours: "now" is frozen and moved
only by the test, so a withdrawal must take effect for the very next query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from familiebro.core.models import Person
from familiebro.privacy import consent_services, policy
from familiebro.privacy.models import Consent, DataCategory, Purpose
from familiebro.privacy.models.consent import IDENTITY_CATEGORY
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
RECIPIENTS = ["viewer_organisation", "viewer_unit", "sister_unit", "third_organisation"]
VIEWER_RECIPIENTS = {"viewer_organisation", "viewer_unit"}
# The categories each step is checked for: identity (which every consent covers, as Person
# is registered) and each named category (Person re-registered under it for the check).
CATEGORIES = [IDENTITY_CATEGORY, *DataCategory.values]


@dataclass(frozen=True)
class Grant:
    purpose: str
    scope: frozenset[str]
    recipient: str
    starts_in_hours: int
    lasts_hours: int | None


@dataclass(frozen=True)
class Withdraw:
    which: int


@dataclass(frozen=True)
class Tick:
    hours: int


steps = st.lists(
    st.one_of(
        st.builds(
            Grant,
            purpose=st.sampled_from(Purpose.values),
            scope=st.frozensets(st.sampled_from(DataCategory.values), min_size=1),
            recipient=st.sampled_from(RECIPIENTS),
            starts_in_hours=st.integers(0, 48),
            lasts_hours=st.one_of(st.none(), st.integers(1, 96)),
        ),
        st.builds(Withdraw, which=st.integers(0, 20)),
        st.builds(Tick, hours=st.integers(1, 72)),
    ),
    min_size=1,
    max_size=8,
)


@dataclass
class Clock:
    now: datetime.datetime = START

    def __call__(self) -> datetime.datetime:
        return self.now


@dataclass
class Granted:
    consent: Consent
    grant: Grant
    valid_from: datetime.datetime
    valid_to: datetime.datetime | None
    withdrawn_at: datetime.datetime | None = None


@dataclass
class Family:
    child: Person
    guardian: Person
    recorder: Any  # the data controller's assigned worker, who records the consents
    viewer: Any  # a worker in another organisation who works on the child
    recipients: dict[str, Any]
    granted: list[Granted] = field(default_factory=list)


def build_family() -> Family:
    make.ensure_consent_texts()
    home = make.unit()
    child, guardian, _ = make.child_with_guardian(home.organisation)
    recorder = make.member(home)
    make.assign(child, user=recorder)
    viewer_unit = make.unit()
    viewer = make.member(viewer_unit)
    # The viewer works on the child: a consent opens data only to those who do.
    make.assign(child, user=viewer, domain=viewer_unit.domain)
    return Family(
        child=child,
        guardian=guardian,
        recorder=recorder,
        viewer=viewer,
        recipients={
            "viewer_organisation": viewer_unit.organisation,
            "viewer_unit": viewer_unit,
            "sister_unit": make.unit(viewer_unit.organisation),
            "third_organisation": make.organisation(),
        },
    )


def apply(step: Any, family: Family, clock: Clock) -> None:
    if isinstance(step, Tick):
        clock.now += datetime.timedelta(hours=step.hours)
    elif isinstance(step, Grant):
        valid_from = clock.now + datetime.timedelta(hours=step.starts_in_hours)
        valid_to = (
            None
            if step.lasts_hours is None
            else valid_from + datetime.timedelta(hours=step.lasts_hours)
        )
        recipient = family.recipients[step.recipient]
        is_unit = step.recipient.endswith("unit")
        consent = consent_services.record_consent(
            family.recorder,
            family.child,
            purpose=step.purpose,
            givers=[family.guardian],
            recipient_organisations=[] if is_unit else [recipient],
            recipient_units=[recipient] if is_unit else [],
            scope=sorted(step.scope),
            channel=Consent.Channel.PAPER,
            witness="Vitne Vitnesen",
            valid_from=valid_from,
            valid_to=valid_to,
        )
        family.granted.append(Granted(consent, step, valid_from, valid_to))
    elif family.granted:
        target = family.granted[step.which % len(family.granted)]
        if target.withdrawn_at is not None:
            with pytest.raises(ValidationError):
                consent_services.withdraw_consent(
                    family.recorder, target.consent, withdrawn_by=family.guardian
                )
        else:
            consent_services.withdraw_consent(
                family.recorder, target.consent, withdrawn_by=family.guardian
            )
            target.withdrawn_at = clock.now


def in_force(granted: Granted, now: datetime.datetime) -> bool:
    return (
        granted.valid_from <= now
        and (granted.valid_to is None or now < granted.valid_to)
        and (granted.withdrawn_at is None or now < granted.withdrawn_at)
    )


def should_see(family: Family, purpose: str, category: str, now: datetime.datetime) -> bool:
    return any(
        in_force(g, now)
        and g.grant.purpose == purpose
        and g.grant.recipient in VIEWER_RECIPIENTS
        and (category == IDENTITY_CATEGORY or category in g.grant.scope)
        for g in family.granted
    )


def sees(family: Family, purpose: str, category: str) -> bool:
    rule = policy.Rule("organisation_id", "id", category)
    with mock.patch.dict(policy._registry, {Person: rule}):
        return policy.visible(family.viewer, Person, purpose).filter(pk=family.child.pk).exists()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_another_organisation_sees_a_person_exactly_while_a_covering_consent_is_in_force(db, steps):
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock), transaction.atomic():
        family = build_family()
        for step in steps:
            apply(step, family, clock)
            for purpose in Purpose.values:
                for category in CATEGORIES:
                    expected = should_see(family, purpose, category, clock.now)
                    assert sees(family, purpose, category) is expected, (
                        f"{purpose}/{category} at {clock.now:%d.%m %H:%M} after {step}"
                    )
        # Each example starts from an empty world.
        transaction.set_rollback(True)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    purpose=st.sampled_from(Purpose.values),
    scope=st.frozensets(st.sampled_from(DataCategory.values), min_size=1),
)
def test_a_withdrawal_closes_access_for_the_very_next_query(db, purpose, scope):
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock), transaction.atomic():
        family = build_family()
        apply(Grant(purpose, scope, "viewer_unit", 0, None), family, clock)
        assert sees(family, purpose, IDENTITY_CATEGORY)
        apply(Withdraw(0), family, clock)
        assert not sees(family, purpose, IDENTITY_CATEGORY)
        assert not any(sees(family, purpose, category) for category in scope)
        transaction.set_rollback(True)
