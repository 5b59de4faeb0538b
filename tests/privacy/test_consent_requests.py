"""Digital consent: staff prepare it, every giver the rule asks for gives it on Min side, and
only then does it open anything."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone, translation

from familiebro.core.models import GuardianRelation, Person
from familiebro.privacy import consent_requests, consent_services, family, policy
from familiebro.privacy.models import (
    AuditEvent,
    Consent,
    ConsentRequest,
    ConsentRule,
    Purpose,
)
from tests.factories import identity_number
from tests.privacy import factories as make
from tests.privacy import factories_consent as privacy_factories
from tests.privacy.consent_request_scene import (
    FATHER,
    MOTHER,
    STEPFATHER,
    STRANGER,
    citizen,
    family_with_logins,
    prepare,
)
from tests.privacy.factories_consent import health_trust_unit, staff_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def fam(staff):
    return family_with_logins(staff)


@pytest.fixture
def bup():
    return health_trust_unit()


@pytest.fixture
def bup_staff(bup, fam):
    worker = staff_in(bup)
    make.assign(fam.child, user=worker, domain=bup.domain)
    return worker


def sees_child(worker, child) -> bool:
    return policy.visible(worker, Person, Purpose.COORDINATION).filter(pk=child.pk).exists()


def test_the_consent_opens_nothing_until_the_last_guardian_has_given_it(staff, fam, bup, bup_staff):
    asked = prepare(staff, fam.child, bup)
    assert {a.person for a in asked.answers.all()} == {fam.mother, fam.father}
    assert not sees_child(bup_staff, fam.child)

    consent_requests.give(citizen(MOTHER), asked.pk)
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.WAITING
    assert not Consent.objects.filter(subject=fam.child).exists()
    assert not sees_child(bup_staff, fam.child)

    consent_requests.give(citizen(FATHER), asked.pk)
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.IN_FORCE
    consent = asked.consent
    assert consent.channel == Consent.Channel.DIGITAL
    assert consent.recorded_by is None
    assert {g.person for g in consent.givers.all()} == {fam.mother, fam.father}
    assert consent.text == asked.text
    assert consent.scope_categories == ["measures_and_plans"]
    assert consent.child_view == "Åse vil at BUP skal vite det."
    assert sees_child(bup_staff, fam.child)


def test_withdrawal_by_one_giver_ends_it(staff, fam, bup, bup_staff):
    asked = prepare(staff, fam.child, bup)
    consent_requests.give(citizen(MOTHER), asked.pk)
    consent_requests.give(citizen(FATHER), asked.pk)
    asked.refresh_from_db()
    consent_services.withdraw_consent_as_family(citizen(FATHER), asked.consent.pk)
    assert not sees_child(bup_staff, fam.child)


def test_one_who_declines_closes_it_and_nothing_opens(staff, fam, bup, bup_staff):
    asked = prepare(staff, fam.child, bup)
    consent_requests.give(citizen(MOTHER), asked.pk)
    consent_requests.decline(citizen(FATHER), asked.pk)
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.DECLINED
    assert asked.consent is None
    with pytest.raises(ValidationError, match="no longer waiting"):
        consent_requests.give(citizen(FATHER), asked.pk)
    assert not sees_child(bup_staff, fam.child)


def test_a_giver_answers_once(staff, fam, bup):
    asked = prepare(staff, fam.child, bup)
    consent_requests.give(citizen(MOTHER), asked.pk)
    with pytest.raises(ValidationError, match="already answered"):
        consent_requests.give(citizen(MOTHER), asked.pk)
    with pytest.raises(ValidationError, match="already answered"):
        consent_requests.decline(citizen(MOTHER), asked.pk)


def test_every_family_act_is_audited_as_the_citizens_own(staff, fam, bup):
    asked = prepare(staff, fam.child, bup)
    consent_requests.give(citizen(MOTHER), asked.pk)
    consent_requests.give(citizen(FATHER), asked.pk)
    asked.refresh_from_db()
    events = AuditEvent.objects.filter(actor_label__startswith=family.CITIZEN_LABEL_PREFIX)
    answers = events.filter(object_type="privacy.consentrequest", action=AuditEvent.Action.CHANGE)
    assert answers.count() == 2
    assert {e.actor_label for e in answers} == {
        citizen(MOTHER).audit_label,
        citizen(FATHER).audit_label,
    }
    created = events.get(action=AuditEvent.Action.CREATE, object_type="privacy.consent")
    assert created.consent_id == asked.consent_id
    assert created.actor_label == citizen(FATHER).audit_label
    assert created.actor_id is None


def test_no_one_else_can_answer(staff, fam, bup, unit):
    asked = prepare(staff, fam.child, bup)
    for outsider in (citizen(STEPFATHER), citizen(STRANGER)):
        with pytest.raises(Http404):
            consent_requests.give(outsider, asked.pk)
        with pytest.raises(Http404):
            consent_requests.request_for_family(outsider, asked.pk)
        assert consent_requests.waiting_for(outsider) == []
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.WAITING


def test_a_guardian_whose_child_has_turned_18_cannot_answer(staff, fam, bup):
    asked = prepare(staff, fam.child, bup)
    Person.objects.filter(pk=fam.child.pk).update(birth_date=datetime.date(2000, 1, 1))
    with pytest.raises(Http404):
        consent_requests.give(citizen(MOTHER), asked.pk)
    assert consent_requests.waiting_for(citizen(MOTHER)) == []


def test_a_guardian_who_lost_parental_responsibility_cannot_answer(staff, fam, bup):
    asked = prepare(staff, fam.child, bup)
    GuardianRelation.objects.filter(guardian=fam.father).update(has_parental_responsibility=False)
    with pytest.raises(Http404):
        consent_requests.give(citizen(FATHER), asked.pk)


def test_a_consent_that_no_longer_holds_is_not_put_in_force(staff, fam, bup, bup_staff):
    """A third guardian with parental responsibility registered since the service asked: the
    two who were asked cannot bring it into force, and nothing is half-written."""
    asked = prepare(staff, fam.child, bup)
    GuardianRelation.objects.filter(guardian=fam.stepfather).update(
        has_parental_responsibility=True
    )
    consent_requests.give(citizen(MOTHER), asked.pk)
    with pytest.raises(ValidationError, match="changed since the service asked"):
        consent_requests.give(citizen(FATHER), asked.pk)
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.WAITING
    assert asked.answers.get(person=fam.father).answer == ""
    assert not Consent.objects.filter(subject=fam.child).exists()
    assert not sees_child(bup_staff, fam.child)


def test_the_young_person_gives_it_alone_where_the_rule_lets_them(staff, bup, bup_staff):
    born = timezone.localdate().replace(year=timezone.localdate().year - 16) - datetime.timedelta(
        days=3
    )
    fam = privacy_factories.family(staff, child_born=born)
    young = identity_number(born, synthetic=True)
    fam.child.set_national_id(young)
    fam.child.save()
    ConsentRule.objects.create(
        organisation=fam.child.organisation,
        purpose=Purpose.COORDINATION,
        givers=ConsentRule.Givers.YOUNG_PERSON,
        young_person_age=16,
    )
    asked = prepare(staff, fam.child, bup, child_view="")
    assert [(a.person, a.role) for a in asked.answers.all()] == [(fam.child, "young_person")]
    shown = consent_requests.waiting_for(citizen(young))
    assert [s.request for s in shown] == [asked]
    consent_requests.give(citizen(young), asked.pk)
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.IN_FORCE
    assert asked.consent.lapses_at is None  # the young person gave it themselves


def test_below_the_age_limit_the_guardians_are_asked_instead(staff, bup):
    born = timezone.localdate().replace(year=timezone.localdate().year - 13)
    fam = privacy_factories.family(staff, child_born=born)
    for person, number in ((fam.mother, MOTHER), (fam.father, FATHER)):
        person.set_national_id(number)
        person.save()
    ConsentRule.objects.create(
        organisation=fam.child.organisation,
        purpose=Purpose.COORDINATION,
        givers=ConsentRule.Givers.YOUNG_PERSON,
        young_person_age=16,
    )
    asked = prepare(staff, fam.child, bup)
    assert {a.role for a in asked.answers.all()} == {"guardian"}


def test_preparing_refuses_what_could_not_be_given_on_min_side(staff, fam, bup):
    fam.father.national_id_hash = ""
    fam.father.save()
    with pytest.raises(ValidationError) as refused:
        prepare(staff, fam.child, bup, recipient_units=[], scope=[], child_view="")
    errors = refused.value.message_dict
    assert set(errors) >= {"recipients", "scope", "givers"}
    assert any("identity number" in m for m in errors["givers"]) or any(
        "child's own view" in m for m in errors["givers"]
    )
    assert not ConsentRequest.objects.exists()
    assert not AuditEvent.objects.filter(object_type="privacy.consentrequest").exists()


def test_a_guardian_without_an_identity_number_cannot_be_asked(staff, fam, bup):
    fam.father.national_id_hash = ""
    fam.father.save()
    with pytest.raises(ValidationError, match="no identity number"):
        prepare(staff, fam.child, bup)


def test_a_child_of_18_or_more_is_not_asked_through_the_guardians(staff, bup):
    fam = privacy_factories.family(staff, child_born=datetime.date(2000, 1, 1))
    with pytest.raises(ValidationError, match="under 18"):
        prepare(staff, fam.child, bup)


def test_staff_who_do_not_work_with_the_child_cannot_prepare_or_read_it(staff, fam, bup):
    asked = prepare(staff, fam.child, bup)
    outsider = make.member(make.unit())
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied or Http404, never a write
        prepare(outsider, fam.child, bup)
    with pytest.raises(Http404):
        consent_requests.request_of(outsider, fam.child, asked.pk)
    assert consent_requests.requests_for(outsider, fam.child) == []
    # The recipient named in it sees nothing of it, before or after.
    assert not policy.visible(staff_in(bup), ConsentRequest, policy.Purpose.CASEWORK).exists()


def test_the_service_can_cancel_a_waiting_consent(staff, fam, bup):
    asked = prepare(staff, fam.child, bup)
    consent_requests.cancel_request(staff, asked)
    with pytest.raises(ValidationError, match="no longer waiting"):
        consent_requests.give(citizen(MOTHER), asked.pk)
    with pytest.raises(ValidationError, match="Only a consent still waiting"):
        consent_requests.cancel_request(staff, asked)


def test_the_access_log_says_in_words_what_the_family_and_staff_did(staff, fam, bup):
    from familiebro.privacy import access_log

    asked = prepare(staff, fam.child, bup)
    consent_requests.give(citizen(MOTHER), asked.pk)
    consent_requests.give(citizen(FATHER), asked.pk)
    whats = [e.what for e in access_log.access_log_for(staff, fam.child, per_day=False)]
    assert "Registered a consent asked of the family on Min side" in whats
    assert "Changed a consent asked of the family on Min side" in whats
    assert "Registered a consent" in whats
    assert not [w for w in whats if ":" in w or "Request" in w]
    # The mother's own log on Min side shows the father's answer as a parent's act.
    member = next(m for m in family.family_of(citizen(MOTHER)) if m.person.pk == fam.child.pk)
    entries = access_log.family_access_log(citizen(MOTHER), member, per_day=False)
    assert sum(e.what == "Changed a consent asked of the family on Min side" for e in entries) == 2


def test_the_text_the_giver_read_is_the_text_of_the_consent_in_force(staff, fam, bup):
    from familiebro.privacy import consent_reads

    asked = prepare(staff, fam.child, bup)
    read = consent_requests.request_for_family(citizen(MOTHER), asked.pk).text
    consent_requests.give(citizen(MOTHER), asked.pk)
    consent_requests.give(citizen(FATHER), asked.pk)
    asked.refresh_from_db()
    assert consent_reads.render_consent_text(asked.consent) == read


def test_min_side_and_the_staff_list_read_the_same_number_of_times_for_more_requests(
    staff, fam, bup, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prepare(staff, fam.child, bup)
    with CaptureQueriesContext(connection) as one:
        assert len(consent_requests.waiting_for(citizen(MOTHER))) == 1
    with CaptureQueriesContext(connection) as staff_one:
        consent_requests.requests_for(staff, fam.child)
    for _ in range(3):
        prepare(staff, fam.child, bup)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(consent_requests.waiting_for(citizen(MOTHER))) == 4
    with django_assert_max_num_queries(len(staff_one.captured_queries)):
        assert len(consent_requests.requests_for(staff, fam.child)) == 4
