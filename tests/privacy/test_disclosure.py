"""Disclosure on request: the asking service sends, the holding service's leader decides, the
asking unit keeps the answer, and the family sees the disclosure in their access log.

Outsiders (another organisation, another domain, another family, the holder's own workers) get
404 or a clear refusal, and a malformed post writes nothing. The policy matrix of who may do
what is in test_policy_matrix_disclosure.py.
"""

from __future__ import annotations

import datetime
import importlib
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from familiebro.core.models import Person, ServiceUnit
from familiebro.privacy import access_log, disclosure, exceptional, family, policy
from familiebro.privacy.models import (
    AuditEvent,
    DisclosureRequest,
    ExceptionalAccess,
    FamilyAccessRule,
    OversightRule,
)
from tests import factories
from tests.privacy import factories as make
from tests.privacy.disclosure_scene import ANSWER, NUMBER, QUESTION, registered, scene

pytestmark = pytest.mark.django_db

Ground = DisclosureRequest.Ground


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def world():
    return scene()


def form(world, **fields):
    return {
        "asking_unit": world.welfare.pk,
        "holder_unit": world.bup.pk,
        "ground": Ground.CHILD_WELFARE,
        "question": QUESTION,
    } | fields


def send(world, **fields) -> DisclosureRequest:
    data = form(world, **fields)
    return disclosure.send_request(
        world.caseworker,
        world.child,
        asking_unit_id=data["asking_unit"],
        holder_unit_id=data["holder_unit"],
        ground=data["ground"],
        question=data["question"],
    )


def new_url(world):
    return reverse("disclosure-new", args=[world.child.pk])


# Sending


def test_child_welfare_sends_a_request_naming_the_ground(client, world):
    caseworker = make.logged_in(world.caseworker, client)
    page = caseworker.get(new_url(world)).content.decode()
    assert "BUP Hamar (Sykehuset Innlandet)" in page
    # Its own service shares through assignments, not by request.
    assert '">Barneverntjenesten i Hamar (' not in page
    response = caseworker.post(new_url(world), form(world))
    sent = DisclosureRequest.objects.get()
    assert response["Location"] == reverse("disclosure-sent", args=[sent.pk])
    assert (sent.subject, sent.requesting_unit, sent.holder_unit, sent.ground) == (
        world.child,
        world.welfare,
        world.bup,
        Ground.CHILD_WELFARE,
    )
    assert (sent.status, sent.requested_by, sent.holder_person) == ("sent", world.caseworker, None)
    event = AuditEvent.objects.get(detail__event=disclosure.REQUESTED)
    assert event.subject_ids == [str(world.child.pk)]
    assert event.legal_basis == Ground.CHILD_WELFARE
    assert event.detail["holder"] == "BUP Hamar, Sykehuset Innlandet"
    shown = caseworker.get(response["Location"]).content.decode()
    assert "The leader of the service you asked has not answered yet." in shown


def test_the_asker_learns_nothing_of_whether_the_holder_has_the_person(client, world):
    """Sent to a service that has the child and to one that has not: the same answer, and the
    holder's registrations are looked for nowhere in the send."""
    caseworker = make.logged_in(world.caseworker, client)
    stranger = factories.ServiceUnitFactory(
        organisation=make.organisation(name="Helse Sør-Øst"), name="BUP Elverum", kind="bup"
    )
    pages, statuses = [], []
    for holder in (world.bup, stranger):
        response = caseworker.post(new_url(world), form(world, holder_unit=holder.pk))
        statuses.append(response.status_code)
        shown = caseworker.get(response["Location"]).content.decode()
        pages.append(re.sub(r'value="[A-Za-z0-9]{64}"', "", shown))
    assert statuses == [302, 302]
    first, second = DisclosureRequest.objects.order_by("pk")
    same = [
        pages[0].replace("BUP Hamar", "X").replace("Sykehuset Innlandet", "Y"),
        pages[1].replace("BUP Elverum", "X").replace("Helse Sør-Øst", "Y"),
    ]
    same[0] = same[0].replace(f"/{first.pk}/", "/N/")
    same[1] = same[1].replace(f"/{second.pk}/", "/N/")
    assert same[0] == same[1]
    assert first.holder_person is None and second.holder_person is None
    trust_child = str(world.trust_child.pk)
    assert not any(trust_child in e.subject_ids for e in AuditEvent.objects.all())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("question", "Hva vet dere?", "at least 20 characters"),
        ("ground", "curiosity", "Select a valid choice"),
        ("holder_unit", "999999", "Select a valid choice"),
        ("holder_unit", "BUP", "Select a valid choice"),
        ("asking_unit", "999999", "Select a valid choice"),
    ],
)
def test_a_malformed_request_is_explained_and_writes_nothing(client, world, field, value, message):
    caseworker = make.logged_in(world.caseworker, client)
    response = caseworker.post(new_url(world), form(world, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DisclosureRequest.objects.exists()


def test_an_empty_post_is_explained(client, world):
    response = make.logged_in(world.caseworker, client).post(new_url(world), {})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the service you ask." in page and "Choose the legal ground" in page
    assert not DisclosureRequest.objects.exists()


def test_only_child_welfare_asks_on_the_duty_to_inform_child_welfare(client, world):
    school = factories.ServiceUnitFactory(
        organisation=world.town, name="Hamar skole", kind=ServiceUnit.Kind.SCHOOL
    )
    teacher = make.member(school)
    make.assign(world.child, user=teacher)
    response = make.logged_in(teacher, client).post(
        new_url(world), form(world, asking_unit=school.pk)
    )
    assert response.status_code == 400
    assert "Only a child welfare service can ask on the duty to inform" in (
        response.content.decode()
    )
    assert not DisclosureRequest.objects.exists()
    # On danger to life or health, the school may ask.
    make.logged_in(teacher, client).post(
        new_url(world), form(world, asking_unit=school.pk, ground=Ground.DANGER)
    )
    assert DisclosureRequest.objects.get().requesting_unit == school


def test_a_unit_of_the_own_service_cannot_be_asked(world):
    colleague_unit = factories.ServiceUnitFactory(
        organisation=world.town, name="Barnevernvakten", kind=ServiceUnit.Kind.CHILD_WELFARE
    )
    with pytest.raises(ValidationError, match="through assignments"):
        send(world, holder_unit=colleague_unit.pk)
    # The municipality's health centre is another service: it can be asked.
    health = factories.ServiceUnitFactory(organisation=world.town, name="Helsestasjonen")
    assert send(world, holder_unit=health.pk).holder_unit == health


def test_staff_without_need_to_know_cannot_ask(client, world):
    unassigned = make.member(world.welfare)
    response = make.logged_in(unassigned, client).get(new_url(world))
    # The policy does not show them the child at all.
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        disclosure.send_request(
            unassigned,
            world.child,
            asking_unit_id=world.welfare.pk,
            holder_unit_id=world.bup.pk,
            ground=Ground.CHILD_WELFARE,
            question=QUESTION,
        )


def test_another_organisations_person_cannot_be_asked_about(client, world):
    """BUP's worker cannot send a request about the municipality's registration."""
    response = make.logged_in(world.bup_worker, client).post(new_url(world), form(world))
    assert response.status_code == 404
    assert not DisclosureRequest.objects.exists()


# Answering


def answer_form(**fields):
    return {"decision": "disclose", "holder_person": "", "text": ANSWER} | fields


def test_the_holders_leader_sees_the_request_and_their_own_registration(client, world):
    sent = send(world)
    third = registered(make.organisation(name="Tredje"), given_name="Ella")
    leader = make.logged_in(world.bup_leader, client)
    listing = leader.get(reverse("disclosure-list")).content.decode()
    assert "From Barneverntjenesten i Hamar (Hamar kommune)" in listing
    page = leader.get(reverse("disclosure-received", args=[sent.pk])).content.decode()
    assert QUESTION in page
    assert "Ella Berg" in page and "born 02.05.2016" in page
    # Matched by the identity number inside the holding organisation only.
    assert reverse("person-detail", args=[world.trust_child.pk]) in page
    assert reverse("person-detail", args=[third.pk]) not in page
    viewed = AuditEvent.objects.filter(purpose=disclosure.PURPOSE, action="view").get()
    assert viewed.subject_ids == [str(world.child.pk), str(world.trust_child.pk)]
    assert viewed.organisation_id == world.trust.pk


def test_the_holders_leader_discloses_and_the_asker_keeps_the_answer(client, world):
    sent = send(world)
    leader = make.logged_in(world.bup_leader, client)
    url = reverse("disclosure-received", args=[sent.pk])
    response = leader.post(url, answer_form(holder_person=world.trust_child.pk))
    assert response["Location"] == url
    sent.refresh_from_db()
    assert (sent.status, sent.disclosed_text, sent.decided_by) == (
        "disclosed",
        ANSWER,
        world.bup_leader,
    )
    assert sent.holder_person == world.trust_child
    event = AuditEvent.objects.get(detail__event=disclosure.DISCLOSED)
    assert (event.actor_id, event.legal_basis, event.organisation_id) == (
        world.bup_leader.pk,
        Ground.CHILD_WELFARE,
        world.trust.pk,
    )
    assert event.subject_ids == [str(world.child.pk), str(world.trust_child.pk)]
    assert event.detail["recipient"] == "Barneverntjenesten i Hamar, Hamar kommune"
    # The asking unit reads the answer in its own record ...
    asker = make.logged_in(world.caseworker)
    page = asker.get(reverse("disclosure-sent", args=[sent.pk])).content.decode()
    assert ANSWER in page and "Disclosed by BUP Hamar" in page
    # ... and its leader too, by oversight where the municipality has turned it on; but nobody
    # at child welfare reads BUP's records.
    OversightRule.objects.create(organisation=world.town, leaders_see_unit_persons=True)
    assert (
        ANSWER
        in make.logged_in(world.welfare_leader)
        .get(reverse("disclosure-sent", args=[sent.pk]))
        .content.decode()
    )
    assert asker.get(reverse("person-detail", args=[world.trust_child.pk])).status_code == 404
    # Answered once: a second answer is refused with a reason.
    again = leader.post(url, answer_form(decision="refuse", text="Vi trekker svaret tilbake nå."))
    assert again.status_code == 400
    assert "already been answered" in again.content.decode()
    sent.refresh_from_db()
    assert sent.status == "disclosed"


def test_a_refusal_needs_a_reason_and_the_asker_sees_it(client, world):
    sent = send(world)
    leader = make.logged_in(world.bup_leader, client)
    url = reverse("disclosure-received", args=[sent.pk])
    short = leader.post(url, answer_form(decision="refuse", text="Nei."))
    assert short.status_code == 400
    assert "Say why you refuse (at least 20 characters)" in short.content.decode()
    reason = "Forholdet er ikke omfattet av opplysningsplikten slik det er beskrevet."
    leader.post(url, answer_form(decision="refuse", text=reason))
    sent.refresh_from_db()
    assert (sent.status, sent.refusal_reason, sent.disclosed_text) == ("refused", reason, "")
    page = make.logged_in(world.caseworker).get(reverse("disclosure-sent", args=[sent.pk]))
    assert reason in page.content.decode()
    assert AuditEvent.objects.filter(detail__event=disclosure.REFUSED).count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"decision": ""}, "Choose whether you disclose or refuse."),
        ({"decision": "publish"}, "Select a valid choice"),
        ({"text": ""}, "Write what you disclose, or why you refuse."),
        ({"text": "Angst."}, "at least 20 characters"),
        ({"holder_person": "abc"}, "Select a valid choice"),
    ],
)
def test_a_malformed_answer_is_explained_and_writes_nothing(client, world, fields, message):
    sent = send(world)
    leader = make.logged_in(world.bup_leader, client)
    response = leader.post(reverse("disclosure-received", args=[sent.pk]), answer_form(**fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == "sent" and not sent.disclosed_text


def test_the_answer_cannot_name_a_registration_of_another_organisation(world):
    sent = send(world)
    with pytest.raises(ValidationError, match="your own registrations"):
        disclosure.answer(
            world.bup_leader, sent.pk, disclose=True, text=ANSWER, holder_person_id=world.child.pk
        )
    sent.refresh_from_db()
    assert sent.status == "sent"


# Outsiders


@pytest.fixture
def answered(world):
    sent = send(world)
    disclosure.answer(
        world.bup_leader,
        sent.pk,
        disclose=True,
        text=ANSWER,
        holder_person_id=world.trust_child.pk,
    )
    return sent


def outsiders(world):
    """Everyone who must not see either side of the request."""
    school = factories.ServiceUnitFactory(
        organisation=world.town, name="Hamar skole", kind=ServiceUnit.Kind.SCHOOL
    )
    teacher = make.member(school)
    make.assign(world.child, user=teacher)  # knows the child, in another domain
    other_family_worker = make.member(world.welfare)
    other_child = make.child_with_guardian(world.town, given_name="Nora")[0]
    make.assign(other_child, user=other_family_worker)  # child welfare, another family
    elsewhere = make.member(make.unit(), "leader")  # a leader in a third organisation
    trust_unit_leader = make.member(
        factories.ServiceUnitFactory(organisation=world.trust, name="Barneavdelingen"), "leader"
    )  # a leader in the holding organisation, of another unit
    return {
        "teacher of the same child": teacher,
        "child welfare worker of another family": other_family_worker,
        "leader in another organisation": elsewhere,
        "leader of another unit of the holder": trust_unit_leader,
        "worker of the holding unit": world.bup_worker,
    }


def test_outsiders_find_neither_side_of_the_request(client, world, answered):
    sent_url = reverse("disclosure-sent", args=[answered.pk])
    received_url = reverse("disclosure-received", args=[answered.pk])
    for who, user in outsiders(world).items():
        outsider = make.logged_in(user)
        assert outsider.get(sent_url).status_code == 404, who
        assert outsider.get(received_url).status_code == 404, who
        assert outsider.post(received_url, answer_form()).status_code == 404, who
        assert ANSWER not in outsider.get(reverse("disclosure-list")).content.decode(), who
    # The asker does not get the holder's page, nor the holder the asker's record.
    assert make.logged_in(world.caseworker).get(received_url).status_code == 404
    assert make.logged_in(world.bup_leader).get(sent_url).status_code == 404


def test_the_list_refuses_nobody_but_shows_only_ones_own(client, world, answered):
    page = make.logged_in(world.bup_worker, client).get(reverse("disclosure-list"))
    assert page.status_code == 200
    assert "Requests to the units you lead" not in page.content.decode()


# The family's access log


def test_the_family_sees_the_disclosure_in_their_access_log(world, answered):
    parent = family.FamilyMember(world.child, family.Relation.PARENT)
    citizen = family.Citizen(identity_hash="x")
    entries = access_log.family_access_log(citizen, parent)
    actions = {(e.actor_name, e.action, e.basis) for e in entries}
    ground = str(Ground.CHILD_WELFARE.label)
    assert (
        world.bup_leader.get_full_name(),
        "Disclosed information to Barneverntjenesten i Hamar, Hamar kommune",
        ground,
    ) in actions
    assert (
        world.caseworker.get_full_name(),
        "Asked BUP Hamar, Sykehuset Innlandet for information",
        ground,
    ) in actions
    # The trust's registration of the child, which the leader answered for, shows it too.
    trust_log = access_log.family_access_log(
        citizen, family.FamilyMember(world.trust_child, family.Relation.PARENT)
    )
    assert "Disclosed information to Barneverntjenesten i Hamar, Hamar kommune" in {
        e.action for e in trust_log
    }


def test_parents_of_a_teenager_do_not_see_a_disclosure_about_kept_services(world, answered):
    """At 14 the child's BUP records are kept from the parents: that BUP disclosed to child
    welfare would tell what it holds, though child welfare's own records are not kept here
    (each controller's rule names only the specialist health service). The young person
    sees it."""
    for registration in (world.child, world.trust_child):
        registration.birth_date = datetime.date(2012, 5, 2)
        registration.save()
        FamilyAccessRule.objects.create(
            organisation=registration.organisation, domains="specialist_health"
        )
    citizen = family.Citizen(identity_hash="x")
    for registration in (world.child, world.trust_child):
        parents_view = access_log.family_access_log(
            citizen, family.FamilyMember(registration, family.Relation.PARENT)
        )
        assert not [e for e in parents_view if "information" in e.action]
    own_view = access_log.family_access_log(
        citizen, family.FamilyMember(world.trust_child, family.Relation.SELF)
    )
    assert "Disclosed information to Barneverntjenesten i Hamar, Hamar kommune" in {
        e.action for e in own_view
    }


# Break-glass no longer crosses organisations; the upgrade ends what did


def test_the_upgrade_ends_accesses_the_new_rule_does_not_allow(world):
    now = timezone.now()
    hour = timezone.timedelta(hours=1)

    def access(user, person, basis, **fields):
        return ExceptionalAccess.objects.create(
            basis=basis,
            user=user,
            person=person,
            organisation=person.organisation,
            reason="Akutt situasjon på legevakten i natt",
            expires_at=now + hour,
            **fields,
        )

    cross = access(world.caseworker, world.trust_child, ExceptionalAccess.Basis.DUTY_TO_REPORT)
    cross_glass = access(world.caseworker, world.trust_child, ExceptionalAccess.Basis.BREAK_GLASS)
    own_legal = access(world.caseworker, world.child, ExceptionalAccess.Basis.COURT_ORDER)
    own_glass = access(world.caseworker, world.child, ExceptionalAccess.Basis.BREAK_GLASS)
    ended_before = access(
        world.caseworker, world.trust_child, ExceptionalAccess.Basis.EMERGENCY, revoked_at=now
    )
    migration = importlib.import_module("familiebro.privacy.migrations.0013_disclosure")
    from django.apps import apps

    migration.end_accesses_the_new_rule_does_not_allow(apps, None)
    for row in (cross, cross_glass, own_legal, own_glass, ended_before):
        row.refresh_from_db()
    assert cross.revoked_at and cross_glass.revoked_at and own_legal.revoked_at
    assert own_glass.revoked_at is None
    assert ended_before.revoked_at == now
    # Ended, not deleted: the history stays.
    assert ExceptionalAccess.objects.count() == 5


def test_break_glass_cannot_reach_another_organisation(world):
    assert exceptional.find_for_exceptional_access(world.caseworker, NUMBER) == [
        exceptional.Candidate(world.child.pk, world.town.pk, "Hamar kommune")
    ]
    with pytest.raises(PermissionDenied, match="only in your own organisation"):
        exceptional.open_access(
            world.caseworker,
            person_id=world.trust_child.pk,
            found_person_ids={world.trust_child.pk},
            looked_up_at=timezone.now(),
            reason="Barnet er hentet av en ukjent voksen i natt",
        )
    assert not policy.visible(world.caseworker, Person, policy.Purpose.CASEWORK).filter(
        pk=world.trust_child.pk
    )
