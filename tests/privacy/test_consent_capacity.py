"""Who consents, in which capacity, by service and age; and the consents the guardians gave
that end when the child comes of age (a birthday at 16 and at 18).

The expected answers are written from the law as docs/data-protection.md ("Who consents")
states it, not read from the code: health information from 16 the young person alone
(pasient- og brukerrettighetsloven § 4-3), child welfare from 15 the young person beside the
guardians (barnevernsloven § 12-3), elsewhere the guardians with parental responsibility; the
child heard from 7; in the guardians' place the child welfare service after a care order or a
representative for an unaccompanied minor.
"""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from familiebro.core.models import ConfidentialityDomain, Membership, Person
from familiebro.privacy import consent_reads, policy
from familiebro.privacy.consent_services import InPlaceOfGuardians
from familiebro.privacy.family import birthday
from familiebro.privacy.models import Capacity, Consent, ConsentRule, Purpose
from tests.privacy import factories as make
from tests.privacy import factories_consent as privacy_factories
from tests.privacy.factories_consent import health_trust_unit, record, staff_in

pytestmark = pytest.mark.django_db

HEALTH = ConfidentialityDomain.HEALTH
CHILD_WELFARE = ConfidentialityDomain.CHILD_WELFARE
EDUCATION = ConfidentialityDomain.EDUCATION


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def bup():
    return health_trust_unit()


def born(years: int, days: int = 0) -> datetime.date:
    """The birth date of a child who turns `years` in `days` days (0: today)."""
    today = timezone.localdate()
    return birthday(today + datetime.timedelta(days=days), -years)


def family_aged(staff, years: int, days: int = 0):
    """A family registered by `staff`, who also works in the school and the child welfare
    service of the same organisation (the service that holds the information records the
    consent to share it)."""
    organisation = staff.memberships.get().unit.organisation
    for kind in ("skole", "barnevern"):
        Membership.objects.create(user=staff, unit=make.unit(organisation, kind=kind))
    staff.__dict__.pop("_familiebro_scope", None)
    return privacy_factories.family(staff, child_born=born(years, days))


def refusal(excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(excinfo.value.messages)


def capacities(consent: Consent) -> set[tuple[str, str]]:
    return {(str(giver), giver.capacity) for giver in consent.givers.all()}


# Health information: the young person alone from 16


def test_from_16_the_young_person_alone_consents_to_sharing_health_information(staff, bup):
    young = family_aged(staff, 16)
    consent = record(
        staff, young, recipient_units=[bup], givers=[young.child], domain=HEALTH, child_view=""
    )
    assert capacities(consent) == {(str(young.child), Capacity.YOUNG_PERSON)}
    assert consent.lapses_at is None


def test_from_16_the_guardians_cannot_consent_to_sharing_health_information(staff, bup):
    young = family_aged(staff, 16)
    with pytest.raises(ValidationError) as excinfo:
        record(staff, young, recipient_units=[bup], domain=HEALTH, child_view="")
    assert "the young person consents alone" in refusal(excinfo)
    assert not Consent.objects.exists()


def test_the_day_before_16_the_guardians_consent_to_sharing_health_information(staff, bup):
    young = family_aged(staff, 16, days=1)
    with pytest.raises(ValidationError) as excinfo:
        record(staff, young, recipient_units=[bup], givers=[young.child], domain=HEALTH)
    assert "is under 16 and cannot consent alone" in refusal(excinfo)
    consent = record(staff, young, recipient_units=[bup], domain=HEALTH)
    assert capacities(consent) == {
        (str(young.mother), Capacity.PARENTAL_RESPONSIBILITY),
        (str(young.father), Capacity.PARENTAL_RESPONSIBILITY),
    }


def test_a_health_consent_the_guardians_gave_ends_on_the_16th_birthday(staff, bup):
    young = family_aged(staff, 16, days=10)
    bup_worker = staff_in(bup)
    make.assign(young.child, user=bup_worker, domain=bup.domain)
    consent = record(staff, young, recipient_units=[bup], domain=HEALTH)
    sixteenth = birthday(young.child.birth_date, 16)
    assert consent.lapses_at == consent_reads.end_of_day(sixteenth - datetime.timedelta(days=1))
    assert timezone.localtime(consent.lapses_at).date() == sixteenth

    def reads_the_child_at(moment: datetime.datetime) -> bool:
        with mock.patch("django.utils.timezone.now", return_value=moment):
            return (
                policy.visible(bup_worker, Person, Purpose.COORDINATION)
                .filter(pk=young.child.pk)
                .exists()
            )

    last_moment = consent.lapses_at - datetime.timedelta(seconds=1)
    assert Consent.objects.valid_at(last_moment).filter(pk=consent.pk).exists()
    assert consent.state(last_moment) == "valid"
    assert reads_the_child_at(last_moment)
    assert not Consent.objects.valid_at(consent.lapses_at).filter(pk=consent.pk).exists()
    assert consent.state(consent.lapses_at) == "lapsed"
    assert not reads_the_child_at(consent.lapses_at)


def test_a_consent_the_guardians_gave_for_another_service_ends_on_the_18th_birthday(staff, bup):
    young = family_aged(staff, 18, days=3)
    consent = record(staff, young, recipient_units=[bup], domain=EDUCATION)
    eighteenth = birthday(young.child.birth_date, 18)
    assert timezone.localtime(consent.lapses_at).date() == eighteenth
    assert consent.state(consent.lapses_at - datetime.timedelta(seconds=1)) == "valid"
    assert consent.state(consent.lapses_at) == "lapsed"


def test_a_consent_the_young_person_gave_does_not_end_at_18(staff, bup):
    young = family_aged(staff, 18, days=3)
    ConsentRule.objects.create(
        organisation=young.child.organisation,
        domain=EDUCATION,
        purpose=Purpose.COORDINATION,
        givers=ConsentRule.Givers.YOUNG_PERSON,
        young_person_age=15,
    )
    consent = record(staff, young, recipient_units=[bup], givers=[young.child], domain=EDUCATION)
    assert consent.lapses_at is None


# Child welfare: from 15 the young person as a party, beside the guardians


def test_from_15_child_welfare_needs_the_young_persons_consent_beside_the_guardians(staff, bup):
    young = family_aged(staff, 15)
    with pytest.raises(ValidationError) as excinfo:
        record(staff, young, recipient_units=[bup], domain=CHILD_WELFARE)
    assert "The young person's own consent is required" in refusal(excinfo)
    consent = record(
        staff,
        young,
        recipient_units=[bup],
        givers=[young.mother, young.father, young.child],
        domain=CHILD_WELFARE,
    )
    assert capacities(consent) == {
        (str(young.mother), Capacity.PARENTAL_RESPONSIBILITY),
        (str(young.father), Capacity.PARENTAL_RESPONSIBILITY),
        (str(young.child), Capacity.YOUNG_PERSON),
    }
    assert consent.lapses_at is None


def test_the_day_before_15_the_guardians_consent_to_child_welfare_sharing(staff, bup):
    young = family_aged(staff, 15, days=1)
    with pytest.raises(ValidationError) as excinfo:
        record(
            staff,
            young,
            recipient_units=[bup],
            givers=[young.mother, young.father, young.child],
            domain=CHILD_WELFARE,
        )
    assert "is under 15 and cannot consent alone" in refusal(excinfo)
    consent = record(staff, young, recipient_units=[bup], domain=CHILD_WELFARE)
    assert {g.capacity for g in consent.givers.all()} == {Capacity.PARENTAL_RESPONSIBILITY}


def test_the_organisations_rule_for_one_service_applies_to_that_service_only(staff, bup):
    young = family_aged(staff, 15)
    ConsentRule.objects.create(
        organisation=young.child.organisation,
        domain=HEALTH,
        purpose=Purpose.COORDINATION,
        givers=ConsentRule.Givers.YOUNG_PERSON,
        young_person_age=15,
    )
    alone = record(staff, young, recipient_units=[bup], givers=[young.child], domain=HEALTH)
    assert capacities(alone) == {(str(young.child), Capacity.YOUNG_PERSON)}
    with pytest.raises(ValidationError):
        record(staff, young, recipient_units=[bup], givers=[young.child], domain=CHILD_WELFARE)


# The child's own view


def test_the_childs_own_view_is_recorded_when_the_child_is_to_be_heard(staff, bup):
    child_of_seven = family_aged(staff, 7)
    with pytest.raises(ValidationError) as excinfo:
        record(staff, child_of_seven, recipient_units=[bup], child_view="  ")
    assert "Record the child's own view" in refusal(excinfo)
    consent = record(
        staff, child_of_seven, recipient_units=[bup], child_view="Vil at helsesøster vet det."
    )
    assert consent.child_view == "Vil at helsesøster vet det."


def test_a_child_under_7_is_not_asked_for_a_view_with_the_consent(staff, bup):
    child_of_six = family_aged(staff, 7, days=1)
    consent = record(staff, child_of_six, recipient_units=[bup], child_view="")
    assert consent.child_view == ""


# In the guardians' place


def test_after_a_care_order_child_welfare_consents_in_the_guardians_place(staff, bup):
    child = family_aged(staff, 10)
    consent = record(
        staff,
        child,
        recipient_units=[bup],
        givers=[],
        domain=CHILD_WELFARE,
        in_place_of_guardians=InPlaceOfGuardians(
            Capacity.CHILD_WELFARE_CARE_ORDER, "Barneverntjenesten i Stange"
        ),
    )
    giver = consent.givers.get()
    assert (giver.person, giver.name, giver.capacity, giver.role) == (
        None,
        "Barneverntjenesten i Stange",
        Capacity.CHILD_WELFARE_CARE_ORDER,
        "in_place_of_guardians",
    )
    assert str(giver) == "Barneverntjenesten i Stange"


def test_a_representative_consents_for_an_unaccompanied_minor(staff, bup):
    child = family_aged(staff, 14)
    consent = record(
        staff,
        child,
        recipient_units=[bup],
        givers=[],
        domain=HEALTH,
        in_place_of_guardians=InPlaceOfGuardians(Capacity.REPRESENTATIVE, "Representant Rød"),
    )
    assert capacities(consent) == {("Representant Rød", Capacity.REPRESENTATIVE)}


@pytest.mark.parametrize(
    ("years", "givers", "name", "message"),
    [
        (10, "guardians", "Barneverntjenesten", "Choose either the guardians or the one"),
        (10, "none", "  ", "Write the name of the service or the representative"),
        (16, "none", "Barneverntjenesten", "the young person consents alone"),
    ],
)
def test_consent_in_the_guardians_place_is_refused_where_it_does_not_fit(
    staff, bup, years, givers, name, message
):
    child = family_aged(staff, years)
    with pytest.raises(ValidationError) as excinfo:
        record(
            staff,
            child,
            recipient_units=[bup],
            givers=[child.mother, child.father] if givers == "guardians" else [],
            domain=HEALTH,
            in_place_of_guardians=InPlaceOfGuardians(Capacity.CHILD_WELFARE_CARE_ORDER, name),
        )
    assert message in refusal(excinfo)
    assert not Consent.objects.exists()


def test_a_consent_for_another_services_information_is_recorded_by_that_service(staff, bup):
    child = privacy_factories.family(staff, child_born=born(10))
    with pytest.raises(ValidationError) as excinfo:
        record(staff, child, recipient_units=[bup], domain=CHILD_WELFARE)
    assert "for the information of your own services only" in refusal(excinfo)
    assert not Consent.objects.exists()
