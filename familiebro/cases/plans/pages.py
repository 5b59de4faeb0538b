"""Individual plans as they are read: the printable plan, in plain language as the family
reads it (internal measures left out), and the register of active plans per unit and
municipality (counts, no names). Starting and ending a plan is in
familiebro.cases.plans.services.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from familiebro.privacy import audit, policy
from familiebro.privacy.consent_reads import pdf_styles

from ..case_services import READ, get_case
from ..models import Case, Goal, IndividualPlan, Measure
from .services import active_plan

# The printable plan --------------------------------------------------------------------------


def plan_pdf(actor: Any, case_id: Any, language: str = "nb") -> bytes:
    """The individual plan in plain language, as the family reads it: internal measures are
    left out. Printing is audited as an export of the child's data."""
    case = get_case(actor, case_id)
    plan = active_plan(actor, case)
    if plan is None:
        raise ValidationError(_("The case has no active individual plan."))
    goals = list(
        policy.visible(actor, Goal, READ, few_rows=True).filter(case=case).order_by("created_at")
    )
    # The plan is the family's document: what the family does not read stays out of it, even
    # when the owning organisation's own staff print it.
    active_measures = (
        policy.visible(actor, Measure, READ, few_rows=True)
        .filter(case=case, status=Measure.Status.ACTIVE)
        .select_related("responsible_unit", "responsible_user")
    )
    hidden = policy.hidden_from_family(Measure)
    measures = list(active_measures if hidden is None else active_measures.exclude(hidden))
    with translation.override(language):
        pdf = plan_document(case, plan, goals, measures)
    plan.case = case  # the audit names the child the plan is about
    # Audited on the basis the plan was read on: a consent's reader names the consent.
    policy.record_access(
        actor,
        audit.AuditEvent.Action.EXPORT,
        [plan],
        READ,
        detail={"measures": [m.pk for m in measures], "goals": [g.pk for g in goals]},
    )
    return pdf


def plan_document(
    case: Case, plan: IndividualPlan, goals: list[Goal], measures: list[Measure]
) -> bytes:
    """The plan as the family reads it (the caller leaves internal measures out)."""
    styles = pdf_styles()
    story: list[Any] = [
        Paragraph(
            escape(_("Individual plan for %(child)s") % {"child": case.child}), styles["title"]
        ),
        Paragraph(
            escape(
                _(
                    "This plan says what you and the services have agreed to work towards, who "
                    "does what, and when you look at it together again. You can ask for changes "
                    "at any time."
                )
            ),
            styles["body"],
        ),
        Paragraph(escape(_("Your coordinator")), styles["heading"]),
        Paragraph(
            escape(
                f"{case.coordinator.display_name() if case.coordinator else '–'}, {case.unit.name}"
                + (f", {case.unit.phone}" if case.unit.phone else "")
            ),
            styles["body"],
        ),
        Paragraph(escape(_("The responsibility group")), styles["heading"]),
    ]
    for member in plan.responsibility_group.all():
        who = member.user.display_name() if member.user else member.unit.name
        where = member.unit.name if member.user else ""
        story.append(
            Paragraph(escape(", ".join(x for x in (who, where, member.role) if x)), styles["body"])
        )
    story.append(Paragraph(escape(_("Our goals")), styles["heading"]))
    for goal in goals or []:
        story.append(Paragraph(escape(f"• {goal.text}"), styles["body"]))
    if not goals:
        story.append(Paragraph(escape(_("No goals written down yet.")), styles["body"]))
    story.append(Paragraph(escape(_("Who does what")), styles["heading"]))
    for measure in measures:
        who = measure.responsible_unit.name
        if measure.responsible_user:
            who = f"{measure.responsible_user.display_name()}, {who}"
        line = _("%(measure)s – %(who)s. We look at it again on %(date)s.") % {
            "measure": measure.title,
            "who": who,
            "date": date_format(measure.evaluation_date, "DATE_FORMAT"),
        }
        story.append(Paragraph(escape(line), styles["body"]))
    if not measures:
        story.append(Paragraph(escape(_("No measures agreed yet.")), styles["body"]))
    story.append(Spacer(1, 6 * mm))
    story.append(
        Paragraph(
            escape(
                _("Case %(reference)s. Plan started %(date)s. Printed %(today)s.")
                % {
                    "reference": case.reference,
                    "date": date_format(timezone.localtime(plan.created_at), "DATE_FORMAT"),
                    "today": date_format(timezone.localdate(), "DATE_FORMAT"),
                }
            ),
            styles["small"],
        )
    )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("Individual plan"),
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    document.build(story)
    return buffer.getvalue()


# The register ------------------------------------------------------------------------------


@dataclass
class RegisterRow:
    municipality: str
    unit: str
    active: int
    without_coordinator: int


@dataclass
class Register:
    rows: list[RegisterRow]  # per unit
    municipalities: list[RegisterRow]  # the units' sums per municipality (unit is "")


def register(actor: Any) -> Register:
    """Active individual plans per unit of the actor's organisations, and how many have no
    coordinator, with the sums per municipality. Counts only, so no person is shown or
    audited; one query."""
    organisations = policy.scope_of(actor).organisation_ids
    rows = [
        RegisterRow(
            municipality=row["unit__organisation__municipality__name"] or "–",
            unit=row["unit__name"],
            active=row["active"],
            without_coordinator=row["without"],
        )
        for row in IndividualPlan.objects.filter(
            ended_at__isnull=True, organisation_id__in=organisations
        )
        .values("unit__name", "unit__organisation__municipality__name")
        .annotate(
            active=Count("pk"),
            without=Count("pk", filter=Q(case__coordinator__isnull=True)),
        )
        .order_by("unit__organisation__municipality__name", "unit__name")
    ]
    sums: dict[str, RegisterRow] = {}
    for row in rows:
        total = sums.setdefault(row.municipality, RegisterRow(row.municipality, "", 0, 0))
        total.active += row.active
        total.without_coordinator += row.without_coordinator
    return Register(rows=rows, municipalities=list(sums.values()))
