import datetime

import pytest
from django.core.exceptions import ValidationError

from familiebro.core import crypto
from familiebro.core.models import Person
from familiebro.persons import services
from familiebro.privacy.models import AuditEvent
from tests import factories
from tests.factories import identity_number

pytestmark = pytest.mark.django_db


def register(actor, organisation, **kwargs):
    defaults = dict(
        kind=Person.Kind.CHILD,
        given_name="Emma",
        family_name="Berg",
        birth_date=datetime.date(2012, 6, 15),
    )
    return services.register_person(actor, organisation, **(defaults | kwargs))


def test_the_identity_number_is_stored_encrypted_and_found_by_hash(staff, unit):
    number = identity_number(datetime.date(2012, 6, 15))
    person = register(staff, unit.organisation, national_id=number)
    stored = Person.objects.get(pk=person.pk)
    assert number.encode() not in bytes(stored.national_id_encrypted)
    assert stored.national_id == number
    assert stored.national_id_hash == crypto.lookup_hash(number)
    assert services.find_person_by_identity_number(staff, number) == person


def test_tampered_ciphertext_is_detected():
    blob = bytearray(crypto.encrypt("15061210110"))
    blob[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(bytes(blob))


def test_registration_writes_an_audit_event_in_the_same_transaction(staff, unit):
    person = register(staff, unit.organisation)
    event = AuditEvent.objects.get(action="create", object_type="core.person")
    assert event.object_ids == [str(person.pk)]
    assert event.actor_id == staff.pk
    assert event.organisation_id == unit.organisation_id


def test_a_duplicate_identity_number_in_one_organisation_is_refused(staff, unit):
    number = identity_number(datetime.date(2012, 6, 15))
    register(staff, unit.organisation, national_id=number)
    with pytest.raises(ValidationError, match="already registered"):
        register(staff, unit.organisation, national_id=number, given_name="Other")
    assert Person.objects.count() == 1
    assert AuditEvent.objects.filter(action="create").count() == 1


def test_the_same_person_may_be_registered_by_another_organisation(staff, unit):
    number = identity_number(datetime.date(2012, 6, 15))
    register(staff, unit.organisation, national_id=number)
    other = factories.MembershipFactory()
    register(other.user, other.unit.organisation, national_id=number)
    assert Person.objects.count() == 2


def test_invalid_input_leaves_nothing_half_written(staff, unit):
    with pytest.raises(ValidationError) as exc:
        register(staff, unit.organisation, national_id="15061210111", phone="12")
    assert "national_id" in exc.value.message_dict
    assert Person.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_invalid_phone_number_is_refused_with_the_field_named(staff, unit):
    with pytest.raises(ValidationError) as exc:
        register(staff, unit.organisation, phone="12")
    assert "phone" in exc.value.message_dict


def test_staff_cannot_register_persons_in_another_organisation(staff):
    other_org = factories.OrganisationFactory()
    with pytest.raises(ValidationError, match="own organisation"):
        register(staff, other_org)


def _colleague_in(organisation, kind):
    return factories.MembershipFactory(
        unit=factories.ServiceUnitFactory(organisation=organisation, kind=kind)
    ).user


def test_lookup_does_not_find_a_person_only_another_service_of_the_organisation_knows(staff):
    """That child welfare knows a family is child welfare's confidential matter, also towards
    the school of the same municipality."""
    organisation = staff.memberships.get().unit.organisation
    number = identity_number(datetime.date(2012, 6, 15))
    child_welfare = _colleague_in(organisation, "barnevern")
    register(child_welfare, organisation, national_id=number)
    teacher = _colleague_in(organisation, "skole")
    assert services.find_person_by_identity_number(teacher, number) is None
    # A colleague in the same service finds them, so nobody registers them twice there.
    nurse_colleague = _colleague_in(organisation, "barnevern")
    assert services.find_person_by_identity_number(nurse_colleague, number) is not None


def test_registering_a_person_another_service_knows_joins_the_organisations_record(staff):
    organisation = staff.memberships.get().unit.organisation
    number = identity_number(datetime.date(2012, 6, 15))
    child_welfare = _colleague_in(organisation, "barnevern")
    known = register(child_welfare, organisation, national_id=number)
    teacher = _colleague_in(organisation, "skole")

    joined = register(teacher, organisation, national_id=number, given_name="Annen")

    assert joined == known
    assert Person.objects.count() == 1
    assert Person.objects.get().given_name == "Emma"  # the record is not overwritten
    # The teacher now works with the person in the school's domain, and finds them there.
    assert joined.assignments.filter(user=teacher, domain="education").exists()
    assert services.find_person_by_identity_number(teacher, number) == known
    # Child welfare's own need to know is untouched, and the teacher's opens no more of it.
    assert joined.assignments.filter(user=child_welfare, domain="child_welfare").exists()
    assert not joined.assignments.filter(user=teacher, domain="child_welfare").exists()
    event = AuditEvent.objects.filter(action="create", object_type="privacy.assignment").last()
    assert event.actor_id == teacher.pk
    assert event.subject_ids == [str(known.pk)]


def test_a_person_no_service_works_with_yet_is_found_by_number(staff, unit):
    number = identity_number(datetime.date(2012, 6, 15))
    services.register_person(
        None,
        unit.organisation,
        kind=Person.Kind.CHILD,
        given_name="Emma",
        family_name="Berg",
        birth_date=datetime.date(2012, 6, 15),
        national_id=number,
    )
    assert services.find_person_by_identity_number(staff, number) is not None


def test_lookup_does_not_find_persons_of_other_organisations(staff):
    number = identity_number(datetime.date(2012, 6, 15))
    other = factories.MembershipFactory()
    register(other.user, other.unit.organisation, national_id=number)
    assert services.find_person_by_identity_number(staff, number) is None
    search = AuditEvent.objects.filter(action="search").last()
    assert search.detail == {"found": False}
    assert search.actor_id == staff.pk
