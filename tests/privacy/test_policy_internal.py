"""What the owning organisation marks internal stays with it, on every basis and every page.

A log entry or measure given an internal reason (and what belongs to an internal measure: its
evaluations and its evaluation deadlines) is for the owning organisation's own staff with a
need to know. A consent, a break-glass access in the owning organisation and the family's
own login open the case's other rows, never these. The expected answers are written out
below, not computed by the policy.

Every audit event on the basis of consent names the consent (or consents) that opened the
read: the case page, the full log, the measure and meeting pages and the printed plan alike.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import case_services, measure_services, participant_services
from familiebro.cases.meetings import services as meeting_services
from familiebro.cases.models import Case, Deadline, LogEntry, Measure, MeasureEvaluation
from familiebro.privacy import exceptional, family, policy
from familiebro.privacy.models import AuditEvent, Consent, DataCategory, ExceptionalAccess
from tests.cases import builders
from tests.privacy import factories as make
from tests.privacy.test_consent_pages import flat, pdf_text

pytestmark = pytest.mark.django_db

READ = case_services.READ

# Every model with rows the owning organisation can mark internal, and the field whose reason
# marks them (a measure's evaluations and deadlines are internal with the measure).
INTERNAL_FIELD: dict[type[models.Model], str] = {
    LogEntry: "internal_reason",
    Measure: "internal_reason",
    MeasureEvaluation: "measure__internal_reason",
    Deadline: "measure__internal_reason",
}

BASES = ["own_need_to_know", "consent", "break_glass", "family"]

# basis -> (sees the internal row, sees the ordinary row of the same kind). The family reads
# log entries and measures on Min side, but neither evaluations nor deadlines.
EXPECTED: dict[str, dict[type[models.Model], tuple[bool, bool]]] = {
    "own_need_to_know": {
        LogEntry: (True, True),
        Measure: (True, True),
        MeasureEvaluation: (True, True),
        Deadline: (True, True),
    },
    "consent": {
        LogEntry: (False, True),
        Measure: (False, True),
        MeasureEvaluation: (False, True),
        Deadline: (False, True),
    },
    "break_glass": {
        LogEntry: (False, True),
        Measure: (False, True),
        MeasureEvaluation: (False, True),
        Deadline: (False, True),
    },
    "family": {
        LogEntry: (False, True),
        Measure: (False, True),
        MeasureEvaluation: (False, False),
        Deadline: (False, False),
    },
}

# The basis the audit trail names for the ordinary row, per staff basis.
LEGAL_BASIS = {
    "own_need_to_know": policy.Basis.OWN_ORGANISATION,
    "consent": policy.Basis.CONSENT,
    "break_glass": ExceptionalAccess.Basis.BREAK_GLASS,
}

INTERNAL_REASON = "Ikke avklart med mor ennå"
INTERNAL_MEASURE = "Drøfting med barnevernet"
INTERNAL_NOTE = "Far har ringt om samværet; ikke delt med mor."


@dataclass
class Rows:
    internal: models.Model
    ordinary: models.Model


@dataclass
class World:
    town: builders.Municipality
    case: Case
    consent: Consent
    rows: dict[type[models.Model], Rows]
    internal_measure: Measure
    ordinary_measure: Measure


def _measure(town: builders.Municipality, case: Case, title: str, reason: str = "") -> Measure:
    today = timezone.localdate()
    return measure_services.add_measure(
        town.nurse,
        case,
        measure_services.MeasureFields(
            title=title,
            responsible_unit=town.health_centre,
            start_date=today,
            evaluation_date=today + datetime.timedelta(days=30),
            internal_reason=reason,
        ),
    )


def _evaluate(town: builders.Municipality, measure: Measure, what: str) -> MeasureEvaluation:
    return measure_services.evaluate_measure(
        town.nurse,
        measure,
        what_worked=what,
        decision=MeasureEvaluation.Decision.CONTINUE,
        next_evaluation_date=timezone.localdate() + datetime.timedelta(days=60),
    )


def build_world() -> World:
    """A health centre's case about a child, with an internal and an ordinary row of each
    kind, and BUP (another organisation) taking part under the family's consent for
    coordination, covering every category."""
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre)
    consent = builders.coordination_consent(case, town.bup, scope=tuple(DataCategory.values))
    participant_services.add_participant(town.nurse, case, unit=town.bup, role="BUP")
    internal_measure = _measure(town, case, INTERNAL_MEASURE, INTERNAL_REASON)
    ordinary_measure = _measure(town, case, "Søvnveiledning hjemme")
    internal_evaluation = _evaluate(town, internal_measure, "Samtalen med far hjalp.")
    ordinary_evaluation = _evaluate(town, ordinary_measure, "Åse sover bedre.")
    internal_note = case_services.write_log_entry(
        town.nurse,
        case,
        kind=LogEntry.Kind.NOTE,
        text=INTERNAL_NOTE,
        internal_reason=INTERNAL_REASON,
    )
    ordinary_note = case_services.write_log_entry(
        town.nurse, case, kind=LogEntry.Kind.NOTE, text="Mor forteller at det går bedre."
    )

    def open_deadline(measure: Measure) -> Deadline:
        return Deadline.objects.get(measure=measure, completed_at__isnull=True)

    rows = {
        LogEntry: Rows(internal_note, ordinary_note),
        Measure: Rows(internal_measure, ordinary_measure),
        MeasureEvaluation: Rows(internal_evaluation, ordinary_evaluation),
        Deadline: Rows(open_deadline(internal_measure), open_deadline(ordinary_measure)),
    }
    return World(town, case, consent, rows, internal_measure, ordinary_measure)


def staff_reading_on(basis: str, world: World) -> Any:
    town = world.town
    if basis == "own_need_to_know":
        return town.nurse  # the coordinator
    if basis == "consent":
        return town.psychiatrist
    # A health colleague in the owning organisation (the low-threshold team, in the health
    # domain) with no need to know, breaking the glass.
    assert basis == "break_glass"
    exceptional.open_access(
        town.therapist,
        person_id=world.case.child.pk,
        found_person_ids=[world.case.child.pk],
        looked_up_at=timezone.now(),
        reason="Barnet er hentet av en ukjent voksen",
    )
    return town.therapist


def family_sees(model: type[models.Model], row: models.Model, world: World) -> bool:
    child = [family.FamilyMember(world.case.child, family.Relation.PARENT)]
    try:
        return family.visible(model, child).filter(pk=row.pk).exists()
    except PermissionDenied:  # not open to the family at all
        return False


def staff_sees(user: Any, model: type[models.Model], row: models.Model) -> bool:
    """What every staff page asks: a list of the case's rows, and one row by its id."""
    listed = policy.visible(user, model, READ).filter(pk=row.pk).exists()
    try:
        policy.get_or_404(user, model, row.pk, READ)
        viewed = True
    except Http404:
        viewed = False
    assert listed == viewed
    return listed


def test_the_matrix_lists_every_model_registered_with_an_internal_condition():
    """A model given an internal condition in the policy is in this matrix, and vice versa, so
    a new model with an internal flag cannot be forgotten."""
    registered = {m for m, rule in policy.registered_models().items() if rule.internal is not None}
    assert registered == set(INTERNAL_FIELD)
    for model, field in INTERNAL_FIELD.items():
        # The field is real: a lookup through it runs.
        model._default_manager.filter(**{f"{field}__gt": ""}).exists()


@pytest.mark.parametrize("basis", BASES)
def test_internal_rows_are_visible_only_on_the_owning_organisations_need_to_know(basis):
    world = build_world()
    if basis == "family":
        for model, rows in world.rows.items():
            seen = (
                family_sees(model, rows.internal, world),
                family_sees(model, rows.ordinary, world),
            )
            assert seen == EXPECTED[basis][model], model._meta.label
        return
    reader = staff_reading_on(basis, world)
    for model, rows in world.rows.items():
        seen = (staff_sees(reader, model, rows.internal), staff_sees(reader, model, rows.ordinary))
        assert seen == EXPECTED[basis][model], model._meta.label
        # The cell reads on the basis it is named for.
        assert (
            policy.require(reader, policy.Action.VIEW, rows.ordinary, READ).kind
            == (LEGAL_BASIS[basis])
        )
        # The case's parts as the case page reads them, on the case's basis.
        case_basis = policy.bases_for(reader, [world.case], READ)[0]
        about = policy.visible_about(
            reader,
            model,
            READ,
            subject_id=world.case.child_id,
            organisation_id=world.case.organisation_id,
            basis=case_basis,
        )
        assert about.filter(pk=rows.internal.pk).exists() is EXPECTED[basis][model][0]


# --- The pages a reader under consent opens -------------------------------------------------


def newest_event(actor: Any, **fields: Any) -> AuditEvent:
    return AuditEvent.objects.filter(actor_id=actor.pk, **fields).latest("id")


INTERNAL_TAG = 'data-color="warning">internt</span>'
CASE_SECTIONS = (
    "cases:detail",
    "cases:write-log",
    "cases:goals",
    "cases:meetings",
    "cases:participants",
    "cases:decisions",
)


def test_a_reader_under_consent_sees_no_internal_item_on_the_case_page():
    world = build_world()
    psychiatrist = make.logged_in(world.town.psychiatrist)
    # Every section of the case page, and what each section's page view names as shown.
    page, shown = "", {}
    for section in CASE_SECTIONS:
        page += psychiatrist.get(reverse(section, args=[world.case.pk])).content.decode()
        event = newest_event(world.town.psychiatrist, object_type="cases.case")
        for key, ids in event.detail["shown"].items():
            shown.setdefault(key, []).extend(ids)
    assert "Søvnveiledning hjemme" in page  # the consent does open the case's measures
    assert INTERNAL_MEASURE not in page
    assert INTERNAL_NOTE not in page
    assert INTERNAL_REASON not in page
    assert INTERNAL_TAG not in page
    for model, rows in world.rows.items():
        key = model._meta.model_name
        assert rows.internal.pk not in shown.get(key, []), key
    assert world.ordinary_measure.pk in shown["measure"]

    # The owning organisation's coordinator sees them, labelled internal.
    nurse = make.logged_in(world.town.nurse)
    nurse_page = "".join(
        nurse.get(reverse(section, args=[world.case.pk])).content.decode()
        for section in CASE_SECTIONS
    )
    assert INTERNAL_MEASURE in nurse_page
    assert INTERNAL_TAG in nurse_page


def test_a_reader_under_consent_sees_no_internal_entry_in_the_full_log():
    world = build_world()
    psychiatrist = make.logged_in(world.town.psychiatrist)
    page = psychiatrist.get(reverse("cases:log", args=[world.case.pk])).content.decode()
    assert "Mor forteller at det går bedre." in page
    assert INTERNAL_NOTE not in page
    assert INTERNAL_MEASURE not in page  # nor the entry its creation wrote
    assert INTERNAL_TAG not in page
    event = newest_event(world.town.psychiatrist, object_type="cases.logentry")
    internal_entries = LogEntry.objects.filter(case=world.case).exclude(internal_reason="")
    assert internal_entries.count() == 3  # the note, the measure, its evaluation
    assert not {str(pk) for pk in internal_entries.values_list("pk", flat=True)} & set(
        event.object_ids
    )


def test_a_reader_under_consent_cannot_open_an_internal_measure():
    world = build_world()
    psychiatrist = make.logged_in(world.town.psychiatrist)
    internal = reverse("cases:measure", args=[world.case.pk, world.internal_measure.pk])
    before = AuditEvent.objects.latest("id").pk
    assert psychiatrist.get(internal).status_code == 404
    # The case was read on the way (and audited); the measure was not.
    read = AuditEvent.objects.filter(pk__gt=before).values_list("object_type", flat=True)
    assert "cases.measure" not in set(read)
    ordinary = reverse("cases:measure", args=[world.case.pk, world.ordinary_measure.pk])
    assert psychiatrist.get(ordinary).status_code == 200
    nurse = make.logged_in(world.town.nurse)
    assert INTERNAL_MEASURE in nurse.get(internal).content.decode()


def start_plan(world: World) -> None:
    members = [
        world.case.participants.get(user=world.town.nurse).pk,
        world.case.participants.get(unit=world.town.bup).pk,
    ]
    builders.start_plan(world.town.nurse, world.case, members)


def test_the_printed_plan_of_a_reader_under_consent_leaves_internal_measures_out_and_names_the_consent():  # noqa: E501
    world = build_world()
    start_plan(world)
    psychiatrist = make.logged_in(world.town.psychiatrist)
    response = psychiatrist.get(reverse("cases:plan-pdf", args=[world.case.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content))
    assert "Søvnveiledning hjemme" in text
    assert INTERNAL_MEASURE not in text
    event = newest_event(world.town.psychiatrist, action=AuditEvent.Action.EXPORT)
    assert event.legal_basis == policy.Basis.CONSENT
    assert event.consent_id == world.consent.pk
    assert event.subject_ids == [str(world.case.child_id)]
    assert world.internal_measure.pk not in event.detail["measures"]
    assert world.ordinary_measure.pk in event.detail["measures"]


# --- Every event on a consent basis names the consent ----------------------------------------


def consent_reader_paths(world: World) -> list[str]:
    """Every page a reader under the family's consent opens about the case."""
    starts = timezone.now() + datetime.timedelta(days=40)
    meeting = meeting_services.plan_meeting(
        world.town.nurse,
        world.case,
        kind="responsibility_group",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="Helsestasjonen",
    )
    start_plan(world)
    case = world.case.pk
    return [
        reverse("cases:mine"),
        reverse("cases:detail", args=[case]),
        reverse("cases:log", args=[case]),
        reverse("cases:measure", args=[case, world.ordinary_measure.pk]),
        reverse("cases:meeting", args=[case, meeting.pk]),
        reverse("cases:plan-pdf", args=[case]),
    ]


def consents_named(event: AuditEvent) -> list[int]:
    return [event.consent_id] if event.consent_id else list(event.detail.get("consent_ids", []))


def assert_every_consent_event_names_covering_consents(world: World, since: int) -> set[int]:
    reader = world.town.psychiatrist
    events = AuditEvent.objects.filter(pk__gt=since, actor_id=reader.pk)
    on_consent = [e for e in events if policy.Basis.CONSENT in e.legal_basis.split(",")]
    assert on_consent, "the walk read nothing on the basis of consent"
    named: set[int] = set()
    for event in on_consent:
        ids = consents_named(event)
        assert ids, f"{event.action} of {event.object_type} names no consent"
        for consent in Consent.objects.filter(pk__in=ids).prefetch_related("recipient_units"):
            # The consent covers the read: about whom it was, for what, and for the reader.
            assert str(consent.subject_id) in event.subject_ids
            assert consent.organisation_id == event.organisation_id
            assert consent.purpose == event.purpose
            assert reader.memberships.get().unit in consent.recipient_units.all()
            assert consent.valid_from <= event.occurred_at
        assert Consent.objects.filter(pk__in=ids).count() == len(ids), "a named consent is gone"
        named |= set(ids)
    return named


def test_every_audit_event_of_a_reader_under_consent_names_the_consent():
    world = build_world()
    paths = consent_reader_paths(world)
    psychiatrist = make.logged_in(world.town.psychiatrist)
    since = AuditEvent.objects.latest("id").pk
    for path in paths:
        assert psychiatrist.get(path).status_code == 200, path
    assert assert_every_consent_event_names_covering_consents(world, since) == {world.consent.pk}


def test_with_two_consents_in_force_the_audit_names_both():
    world = build_world()
    second = builders.coordination_consent(world.case, world.town.bup, scope=("log_entries",))
    paths = consent_reader_paths(world)
    psychiatrist = make.logged_in(world.town.psychiatrist)
    since = AuditEvent.objects.latest("id").pk
    for path in paths:
        assert psychiatrist.get(path).status_code == 200, path
    named = assert_every_consent_event_names_covering_consents(world, since)
    assert named == {world.consent.pk, second.pk}
    case_page = AuditEvent.objects.filter(
        pk__gt=since, actor_id=world.town.psychiatrist.pk, object_type="cases.case", action="view"
    ).latest("id")
    assert case_page.detail["consent_ids"] == sorted([world.consent.pk, second.pk])


def test_the_audit_trail_refuses_an_event_on_consent_that_names_no_consent():
    from familiebro.privacy import audit

    with pytest.raises(ValueError, match="must name the consent"):
        audit.new_event("export", legal_basis=policy.Basis.CONSENT)
