"""Retention of requests for help and closed cases: which have passed their period, and what
deleting a case with all its parts means.

The periods are the rules `closed_help_request` and `closed_case` in the RetentionRule table
(seeded by privacy migrations 0007 and 0015, explained in docs/data-protection.md, section 6),
per data controller and kind of unit: a health centre's, school health service's or child
welfare service's cases and requests are preserved and deposited under the archive rules. The
privacy layer's retention run applies them with its own categories: one transaction and one
audit event per category, with ids only. `archive_cases` and `archive_requests` give what a
deposit package holds of each.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation

from familiebro.core.models import Person
from familiebro.privacy.models import Assignment

from .models import (
    Case,
    HelpRequest,
    IndividualPlan,
    LogEntry,
    Participant,
    PlanDecision,
    PlanSettings,
)


def closed_requests_expired(cutoff: datetime.datetime) -> models.QuerySet:
    """Requests closed before `cutoff` without becoming a case. A request that became a case
    is kept as long as the case, and deleted with it."""
    return HelpRequest.objects.filter(
        ~Exists(Case.objects.filter(help_request=OuterRef("pk"))),
        status=HelpRequest.Status.CLOSED,
        closed_at__lt=cutoff,
    )


def closed_cases_expired(cutoff: datetime.datetime) -> models.QuerySet:
    return Case.objects.filter(status=Case.Status.CLOSED, closed_at__lt=cutoff)


def _end_need_to_know(case_ids: list[int], now: datetime.datetime) -> list[int]:
    """End every assignment a case gave, for every family member.

    They stayed open after closing so that the coordinator and the unit could read the case
    while it was kept; with the case gone there is nothing left to know. The work ended when
    the case closed, which is what the inactive-person rule counts from. The case links each
    assignment it gives (participants, the one offered the coordinator role).
    """
    ended: list[int] = []
    cases = Case.objects.filter(pk__in=case_ids).values_list("pk", "closed_at")
    for case_id, closed_at in cases:
        ids = list(
            Assignment.objects.filter(given_by_case=case_id, ended_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        Assignment.objects.filter(pk__in=ids).update(ended_at=now, work_ended_at=closed_at)
        ended += ids
    return sorted(ended)


def delete_cases(case_ids: list[int], now: datetime.datetime) -> dict[str, Any]:
    """Delete the cases with every part and the request each came from; end the need to know
    they gave. Returns, for the audit event, the ids of the requests and of the ended
    assignments, and the count per kind of row."""
    cases = Case.objects.filter(pk__in=case_ids)
    ended = _end_need_to_know(case_ids, now)
    request_ids = sorted(cases.exclude(help_request=None).values_list("help_request_id", flat=True))
    # A correction protects the entry it replaces, and a log entry the meeting or measure it
    # came from, against being deleted on their own; all are deleted here, so the links go
    # first.
    LogEntry.objects.filter(case_id__in=case_ids).update(replaces=None, meeting=None, measure=None)
    _total, deleted = cases.delete()
    _total, deleted_requests = HelpRequest.objects.filter(pk__in=request_ids).delete()
    counts = {**deleted}
    for label, count in deleted_requests.items():
        counts[label] = counts.get(label, 0) + count
    return {
        "help_request_ids": request_ids,
        "deleted_rows": {label: count for label, count in sorted(counts.items()) if count},
        "ended_assignment_ids": ended,
    }


# Preserving and depositing ---------------------------------------------------------------


def cases_with_plans(case_ids: list[int]) -> set[int]:
    """Of `case_ids`, the cases that had an individual plan or a decision on the rights to a
    plan, a coordinator or a child coordinator, of a controller that archives its plans from
    Familiebro (the default; PlanSettings.plans_archived_elsewhere). The plan and the
    decisions are documents the archive rules keep (docs/data-protection.md, "Individual
    plan, coordinator and child coordinator"): such a case is preserved and deposited, never
    just deleted, whatever the rule for its kind of unit says."""
    with_plans = Case.objects.filter(
        Exists(IndividualPlan.objects.filter(case=OuterRef("pk")))
        | Exists(PlanDecision.objects.filter(case=OuterRef("pk"))),
        pk__in=case_ids,
    ).exclude(
        organisation__in=PlanSettings.objects.filter(plans_archived_elsewhere=True).values(
            "organisation_id"
        )
    )
    return set(with_plans.values_list("pk", flat=True))


def consents_of_kept_cases(consent_ids: list[int]) -> set[int]:
    """Of `consent_ids`, the consents a case still in the live system refers to: the one its
    individual plan was made under, and those its participants take part under. The case
    needs its record of consent for as long as it is kept (and its deposit names them), and
    the references protect them against deletion; they go when the case goes."""
    return set(
        IndividualPlan.objects.filter(consent_id__in=consent_ids).values_list(
            "consent_id", flat=True
        )
    ) | set(
        Participant.objects.filter(consent_id__in=consent_ids).values_list("consent_id", flat=True)
    )


def _parts_of(case: Case) -> list[tuple[Any, list[models.Model]]]:
    """Every part of the case as the right-of-access export has it: the case itself, the
    request it came from, and each kind of record that belongs to the case."""
    from familiebro.privacy import export, policy

    parts: list[tuple[Any, list[models.Model]]] = []
    for section in export.sections():
        rule = policy.rule_for(section.model)
        if section.model is Case:
            rows: Any = Case.objects.filter(pk=case.pk)
        elif section.model is HelpRequest:
            rows = HelpRequest.objects.filter(case=case)
        elif rule.subject_field and rule.subject_field.endswith("case__child_id"):
            to_case = rule.subject_field[: -len("child_id")]
            rows = section.model._default_manager.filter(**{f"{to_case}id": case.pk})
        else:
            continue
        parts.append(
            (
                section,
                list(
                    rows.select_related(*section.select_related)
                    .prefetch_related(*section.prefetch_related)
                    .order_by(*section.order_by)
                ),
            )
        )
    return parts


def _parties(child: Person) -> list[Any]:
    from familiebro.core.models import GuardianRelation
    from familiebro.privacy.deposit import ArchiveParty

    parties = [
        ArchiveParty(
            name=f"{child.given_name} {child.family_name}",
            role="barn",
            identity_number=child.national_id or "",
            birth_date=child.birth_date,
        )
    ]
    for relation in GuardianRelation.objects.filter(
        child=child, has_parental_responsibility=True
    ).select_related("guardian"):
        guardian = relation.guardian
        parties.append(
            ArchiveParty(
                name=f"{guardian.given_name} {guardian.family_name}",
                role="forelder med foreldreansvar",
                identity_number=guardian.national_id or "",
                birth_date=guardian.birth_date,
            )
        )
    return parties


def archive_cases(case_ids: list[int]) -> list[Any]:
    """The cases as the archive receives them: metadata, parties, and one PDF/A document
    holding the whole case (every part, as in the family's right-of-access export)."""
    records = []
    cases = Case.objects.filter(pk__in=case_ids).select_related(
        "unit", "organisation", "child", "opened_by"
    )
    for case in cases.order_by("pk"):
        with translation.override("nb"):
            records.append(_archive_case(case))
    return records


def _archive_case(case: Case) -> Any:
    from familiebro.privacy.deposit import ArchiveDocument, ArchiveRecord, record_pdf

    title = f"Sak {case.reference} – {case.unit.name}"
    facts = [
        ("Saksnummer", case.reference),
        ("Enhet", f"{case.unit.name} ({case.unit.get_kind_display()})"),
        ("Barn", f"{case.child.given_name} {case.child.family_name}"),
        ("Åpnet", f"{timezone.localtime(case.opened_at):%d.%m.%Y}"),
        (
            "Avsluttet",
            f"{timezone.localtime(case.closed_at):%d.%m.%Y}" if case.closed_at else "–",
        ),
    ]
    pdf = record_pdf(title, case.organisation.name, facts, _parts_of(case))
    return ArchiveRecord(
        object_id=case.pk,
        reference=case.reference,
        title=title,
        unit_name=case.unit.name,
        unit_kind=case.unit.kind,
        created_at=case.opened_at,
        created_by=case.opened_by.display_name(),
        closed_at=case.closed_at,
        documents=[ArchiveDocument(title, pdf, case.closed_at or case.opened_at)],
        parties=_parties(case.child),
        subject_id=case.child_id,
    )


def archive_requests(request_ids: list[int]) -> list[Any]:
    """Requests for help closed without becoming a case, as the archive receives them."""
    from familiebro.privacy import export

    section = next(s for s in export.sections() if s.model is HelpRequest)
    records = []
    requests = HelpRequest.objects.filter(pk__in=request_ids).select_related(
        "unit", "organisation", *section.select_related
    )
    for request in requests.order_by("pk"):
        with translation.override("nb"):
            records.append(_archive_request(request, section))
    return records


def _archive_request(request: HelpRequest, section: Any) -> Any:
    from familiebro.privacy.deposit import ArchiveDocument, ArchiveRecord, record_pdf

    title = f"Henvendelse {request.reference} – {request.unit.name}"
    facts = [
        ("Referanse", request.reference),
        ("Enhet", f"{request.unit.name} ({request.unit.get_kind_display()})"),
        ("Mottatt", f"{timezone.localtime(request.received_at):%d.%m.%Y}"),
    ]
    pdf = record_pdf(title, request.organisation.name, facts, [(section, [request])])
    return ArchiveRecord(
        object_id=request.pk,
        reference=request.reference,
        title=title,
        unit_name=request.unit.name,
        unit_kind=request.unit.kind,
        created_at=request.received_at,
        created_by=request.requester_name or "–",
        closed_at=request.closed_at,
        documents=[ArchiveDocument(title, pdf, request.closed_at or request.received_at)],
    )
