"""The policy matrix of disclosure on request: who may ask, who reads the request on either side,
who answers, and what the disclosure opens.

The world: the child welfare service of a municipality asks BUP of a health trust about a child
both have registered (tests/privacy/disclosure_scene.py). The expected answers are written out
below from the rules in docs/data-protection.md §12, not computed by the code:

- Asking is for staff with a need to know about the person in the asking unit's own service
  (the caseworker, or the leader overseeing the caseworker's work where the organisation has
  turned leaders' oversight on; it is off by default); on the duty to inform child
  welfare, only a child welfare service asks; on danger to life or health, any service does.
- The request and the answer are the asking unit's record: its need to know reads them.
- Only the leader of the unit asked reads the request on the holder's side and answers it; the
  unit's workers, other leaders of the holding organisation and everyone else get nothing.
- A disclosure opens none of the holder's records to the asker: the holder's registration of
  the person stays with the holder's own need to know.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from familiebro.core.models import Membership, Person, ServiceUnit
from familiebro.privacy import disclosure, policy
from familiebro.privacy.models import DisclosureRequest, OversightRule
from tests import factories
from tests.privacy import factories as make
from tests.privacy.disclosure_scene import ANSWER, QUESTION, Scene, scene

pytestmark = pytest.mark.django_db

ACTIONS = [
    "ask_on_duty_to_inform_child_welfare",
    "ask_on_danger_to_life_or_health",
    "read_the_sent_request",
    "list_the_sent_request",
    "read_the_received_request",
    "answer",
    "read_the_holders_registration_after_disclosure",
]

Y, N = True, False
# actor -> the answer for each action, in the order of ACTIONS.
EXPECTED: dict[str, tuple[bool, ...]] = {
    "caseworker_of_the_child": (Y, Y, Y, Y, N, N, N),
    "leader_of_the_asking_unit": (Y, Y, Y, Y, N, N, N),
    # Without the controller's oversight rule a leader knows no more than an unassigned
    # worker: they still answer what is asked of their unit, and read nothing else.
    "leader_of_the_asking_unit_without_oversight": (N, N, N, N, N, N, N),
    "child_welfare_worker_without_assignment": (N, N, N, N, N, N, N),
    "teacher_of_the_same_child_same_municipality": (N, Y, N, N, N, N, N),
    "leader_of_the_unit_asked": (N, N, N, N, Y, Y, Y),
    "leader_of_the_unit_asked_without_oversight": (N, N, N, N, Y, Y, N),
    "worker_of_the_unit_asked": (N, N, N, N, N, N, Y),
    "leader_of_another_unit_of_the_holder": (N, N, N, N, N, N, N),
    "leader_in_a_third_organisation": (N, N, N, N, N, N, N),
    "instance_admin_without_membership": (N, N, N, N, N, N, N),
}


def _overseeing(leader: Any, organisation: Any) -> Any:
    """The leader, in an organisation that lets its leaders see their members' persons."""
    OversightRule.objects.get_or_create(
        organisation=organisation, defaults={"leaders_see_unit_persons": True}
    )
    return leader


ACTORS: dict[str, Callable[[Scene], Any]] = {
    "caseworker_of_the_child": lambda w: w.caseworker,
    "leader_of_the_asking_unit": lambda w: _overseeing(w.welfare_leader, w.town),
    "leader_of_the_asking_unit_without_oversight": lambda w: w.welfare_leader,
    "child_welfare_worker_without_assignment": lambda w: make.member(w.welfare),
    "teacher_of_the_same_child_same_municipality": lambda w: _teacher(w),
    "leader_of_the_unit_asked": lambda w: _overseeing(w.bup_leader, w.trust),
    "leader_of_the_unit_asked_without_oversight": lambda w: w.bup_leader,
    "worker_of_the_unit_asked": lambda w: w.bup_worker,
    "leader_of_another_unit_of_the_holder": lambda w: make.member(
        factories.ServiceUnitFactory(organisation=w.trust, name="Barneavdelingen"),
        Membership.Role.LEADER,
    ),
    "leader_in_a_third_organisation": lambda w: make.member(make.unit(), Membership.Role.LEADER),
    "instance_admin_without_membership": lambda w: make.user(is_instance_admin=True),
}


def _teacher(world: Scene) -> Any:
    school = factories.ServiceUnitFactory(
        organisation=world.town, name="Hamar skole", kind=ServiceUnit.Kind.SCHOOL
    )
    teacher = make.member(school)
    make.assign(world.child, user=teacher)
    return teacher


def _asking_unit(actor: Any, world: Scene) -> int:
    """The actor's own unit in the municipality; for anyone without one, child welfare's (which
    they cannot ask on behalf of)."""
    own = ServiceUnit.objects.filter(memberships__user=actor, organisation=world.town).first()
    return (own or world.welfare).pk


def _ask(actor: Any, world: Scene, ground: str) -> bool:
    disclosure.send_request(
        actor,
        world.child,
        asking_unit_id=_asking_unit(actor, world),
        holder_unit_id=world.bup.pk,
        ground=ground,
        question=QUESTION,
    )
    return True


def _answered(world: Scene) -> DisclosureRequest:
    request = _sent(world)
    disclosure.answer(
        world.bup_leader,
        request.pk,
        disclose=True,
        text=ANSWER,
        holder_person_id=world.trust_child.pk,
    )
    return request


def _sent(world: Scene) -> DisclosureRequest:
    return disclosure.send_request(
        world.caseworker,
        world.child,
        asking_unit_id=world.welfare.pk,
        holder_unit_id=world.bup.pk,
        ground=DisclosureRequest.Ground.CHILD_WELFARE,
        question=QUESTION,
    )


def perform(action: str, actor: Any, world: Scene) -> bool:
    if action == "ask_on_duty_to_inform_child_welfare":
        return _ask(actor, world, DisclosureRequest.Ground.CHILD_WELFARE)
    if action == "ask_on_danger_to_life_or_health":
        return _ask(actor, world, DisclosureRequest.Ground.DANGER)
    if action == "read_the_sent_request":
        return disclosure.sent_request(actor, _answered(world).pk).disclosed_text == ANSWER
    if action == "list_the_sent_request":
        request = _sent(world)
        return request.pk in {r.pk for r in disclosure.sent_requests(actor)}
    if action == "read_the_received_request":
        request = _sent(world)
        return disclosure.received_request(actor, request.pk).request.question == QUESTION
    if action == "answer":
        request = _sent(world)
        disclosure.answer(actor, request.pk, disclose=True, text=ANSWER)
        request.refresh_from_db()
        return request.status == DisclosureRequest.Status.DISCLOSED
    assert action == "read_the_holders_registration_after_disclosure"
    _answered(world)
    return (
        policy.visible(actor, Person, policy.Purpose.CASEWORK)
        .filter(pk=world.trust_child.pk)
        .exists()
    )


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("actor_name", list(EXPECTED))
def test_disclosure_matrix(actor_name, action):
    world = scene()
    actor = ACTORS[actor_name](world)
    expected = EXPECTED[actor_name][ACTIONS.index(action)]
    try:
        allowed = perform(action, actor, world)
    except (PermissionDenied, ValidationError, Http404):
        allowed = False
    assert allowed is expected, f"{actor_name} / {action}: expected {expected}, got {allowed}"


def test_the_matrix_names_every_actor_and_action():
    assert set(EXPECTED) == set(ACTORS)
    assert all(len(row) == len(ACTIONS) for row in EXPECTED.values())
