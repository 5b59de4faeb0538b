"""Case pages: /ansatt/saker/… Thin views over the case actions (case_services,
participant_services, measure_services) and what case_pages reads.

Cases are read through the access policy only (the services use policy.visible and
get_or_404), so another organisation's case is a 404 unless a consent opens it. Every change
is a POST; a refusal is shown on the case page with the form and its message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.core.decorators import staff_required
from familiebro.core.models import Person
from familiebro.privacy import consent_views, policy
from familiebro.privacy.consultation import units_of

from . import (
    case_pages,
    case_services,
    feedback_services,
    measure_services,
    participant_services,
    permissions,
)
from .case_forms import (
    INTERNAL,
    SHARED,
    CorrectionForm,
    DecisionForm,
    EvaluationForm,
    GoalForm,
    HandoverForm,
    LogEntryForm,
    MeasureForm,
    MilestoneForm,
    OpenCaseForm,
    ParticipantForm,
    PlanDecisionForm,
    PlanForm,
)
from .models import HelpRequest, LogEntry, Measure, MeasureEvaluation
from .plans import decisions as plan_decisions
from .plans import pages as plan_pages
from .plans import services as plan_services


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST, even an empty one (which must show what to fill in)."""
    return request.POST if request.method == "POST" else None


@never_cache
@staff_required
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:100]
    unit = request.GET.get("enhet", "")
    role = request.GET.get("rolle", "")
    if role not in ("", *case_pages.MY_ROLES):
        role = ""
    rows = case_pages.my_cases(request.user, query=query, unit_id=unit, role=role)
    return render(
        request,
        "cases/case/mine.html",
        {
            "rows": rows,
            "units": case_pages.my_case_units(request.user),
            "query": query,
            "unit": unit,
            "role": role,
            "filtered": bool(query or unit or role),
        },
    )


@never_cache
@staff_required
@require_GET
def allocation(request: HttpRequest) -> HttpResponse:
    """The weekly allocation meeting: the unit's waiting requests and cases on one page."""
    view = case_pages.allocation(request.user, request.GET.get("enhet"))
    return render(request, "cases/case/allocation.html", {"allocation": view})


# The sections of the case page, in the order of its navigation: each has its own address,
# and an action returns to the section it was started from. The log section's address is
# also where a new entry is posted.
SECTIONS = (
    (case_pages.OVERVIEW, "cases:detail", gettext_lazy("Overview")),
    (case_pages.LOG, "cases:write-log", gettext_lazy("Log")),
    (case_pages.GOALS, "cases:goals", gettext_lazy("Goals and measures")),
    (case_pages.MEETINGS, "cases:meetings", gettext_lazy("Meetings")),
    (case_pages.PARTICIPANTS, "cases:participants", gettext_lazy("Participants and consent")),
    (case_pages.DECISIONS, "cases:decisions", gettext_lazy("Plan and decisions")),
)
SECTION_URL = {key: url_name for key, url_name, _label in SECTIONS}


@dataclass(frozen=True)
class SectionLink:
    key: str
    label: Any
    url: str
    current: bool


def _forms(page: case_pages.CasePage, bound: dict[str, Any]) -> dict[str, Any]:
    """The forms of the section shown, with the one that was sent (and refused) bound."""
    if not page.can_change:
        return {}
    forms: dict[str, Any] = {}
    if page.section == case_pages.OVERVIEW:
        if any(p.milestones for p in page.phases):
            forms["milestone_form"] = MilestoneForm(spec=page.case.pathway_version.parsed)
        if page.phase.decision is not None:
            forms["decision_form"] = DecisionForm(phase=page.phase)
    elif page.section == case_pages.GOALS:
        forms["goal_form"] = GoalForm(goals=page.goals)
    elif page.section == case_pages.LOG:
        forms["log_form"] = LogEntryForm()
    forms.update(bound)
    return forms


def _is_fragment(request: HttpRequest) -> bool:
    # htmx swaps the section alone; it asks for the whole page when it restores history.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _render(
    request: HttpRequest,
    pk: int,
    section: str = case_pages.OVERVIEW,
    status: int = 200,
    **bound: Any,
) -> HttpResponse:
    page = case_pages.case_page(request.user, pk, section)
    sections = [
        SectionLink(key, label, reverse(url_name, args=[pk]), key == section)
        for key, url_name, label in SECTIONS
    ]
    current = next(link for link in sections if link.current)
    fragment = _is_fragment(request)
    context = {
        "page": page,
        "case": page.case,
        "fragment": fragment,
        "sections": sections,
        "current": current,
        **_forms(page, bound),
    }
    if fragment:
        # htmx swaps only a successful answer, so a form sent back with what to fix is
        # answered 200 here; without JavaScript the same form comes with its 400.
        response = render(request, "cases/case/_section.html", context)
    else:
        response = render(request, "cases/case/detail.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@never_cache
@staff_required
@require_GET
def log(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole shared log of a case, a page at a time."""
    view = case_pages.log_page(request.user, pk, request.GET.get("side"))
    return render(request, "cases/case/log.html", {"log": view, "case": view.case})


@never_cache
@staff_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's overview: where it is on its pathway, its deadlines and what to do next."""
    return _render(request, pk)


@never_cache
@staff_required
@require_GET
def goals(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, pk, case_pages.GOALS)


@never_cache
@staff_required
@require_GET
def meetings(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, pk, case_pages.MEETINGS)


@never_cache
@staff_required
@require_GET
def participants(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, pk, case_pages.PARTICIPANTS)


@never_cache
@staff_required
@require_GET
def decisions(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, pk, case_pages.DECISIONS)


def _done(
    request: HttpRequest, pk: int, text: str, section: str = case_pages.OVERVIEW
) -> HttpResponse:
    """Back to the section the action was started from, with what was done."""
    messages.success(request, text)
    return redirect(SECTION_URL[section], pk=pk)


def _refused(
    request: HttpRequest, pk: int, exc: Exception, section: str = case_pages.OVERVIEW
) -> HttpResponse:
    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)
    return redirect(SECTION_URL[section], pk=pk)


def _submit(
    request: HttpRequest,
    pk: int,
    form: Any,
    form_name: str,
    action: Any,
    success: str,
    page: ActionPage | None = None,
    warning: Any = None,
    section: str = case_pages.OVERVIEW,
) -> HttpResponse:
    """Run `action` with the valid form; show the form again with what to fix otherwise, on
    its own page when it has one, else in the case's `section`, which a success returns to.
    `warning`, called after a success, gives what else the user must know (or "")."""
    if form.is_valid():
        try:
            action(form)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            return _refused(request, pk, exc, section)
        else:
            if warning is not None and (text := warning()):
                messages.warning(request, text)
            return _done(request, pk, success, section)
    if page is not None:
        return _action_page(request, pk, form, page, status=400)
    return _render(request, pk, section, status=400, **{form_name: form})


@dataclass(frozen=True)
class ActionPage:
    """A form with many choices (colleagues, services) gets a page of its own, so the case
    page stays light: the case page links to it."""

    url_name: str
    heading: Any
    button: Any
    help: Any = ""


HANDOVER_PAGE = ActionPage(
    "cases:offer-handover",
    gettext_lazy("Hand over the coordinator role"),
    gettext_lazy("Offer the role"),
    gettext_lazy("The role changes only when your colleague accepts it. Until then you keep it."),
)
PARTICIPANT_PAGE = ActionPage(
    "cases:add-participant", gettext_lazy("Add a service"), gettext_lazy("Add the service")
)
MEASURE_PAGE = ActionPage(
    "cases:add-measure",
    gettext_lazy("New measure"),
    gettext_lazy("Add the measure"),
    gettext_lazy(
        "The evaluation date becomes a deadline for the responsible person. The family sees "
        "the measure unless you mark it internal."
    ),
)
PLAN_PAGE = ActionPage(
    "cases:start-plan",
    gettext_lazy("Start an individual plan"),
    gettext_lazy("Start the plan"),
    gettext_lazy(
        "The plan's goals and measures are the case's. The case's coordinator is the plan's "
        "coordinator."
    ),
)


def _action_page(
    request: HttpRequest, pk: int, form: Any, page: ActionPage, status: int = 200
) -> HttpResponse:
    case = _case(request, pk)
    context = {
        "case": case,
        "form": form,
        "page": page,
        "action": reverse(page.url_name, args=[pk]),
    }
    return render(request, "cases/case/action.html", context, status=status)


def _case(request: HttpRequest, pk: int) -> Any:
    return case_services.get_case(request.user, pk)


@staff_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    phase = case.pathway_version.parsed.phase(case.phase)
    if phase.decision is None:
        return _refused(request, pk, ValidationError(_("This phase has no decision point.")))
    form = DecisionForm(request.POST, phase=phase)
    return _submit(
        request,
        pk,
        form,
        "decision_form",
        lambda f: case_services.decide(
            request.user,
            case,
            option=f.cleaned_data["option"],
            reason=f.cleaned_data["reason"],
            close_reason=f.cleaned_data.get("close_reason", ""),
            summary=f.cleaned_data.get("summary", ""),
        ),
        _("The decision is recorded."),
        # Closing: whether the person who raised the concern got no feedback, and why.
        warning=lambda: feedback_services.withheld_notice(request.user, case),
    )


@staff_required
@require_POST
def milestone(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = MilestoneForm(request.POST, spec=case.pathway_version.parsed)
    return _submit(
        request,
        pk,
        form,
        "milestone_form",
        lambda f: case_services.record_milestone(
            request.user, case, f.cleaned_data["key"], f.occurred_at()
        ),
        _("It is recorded."),
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def offer_handover(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    choices = case_pages.choices_for_change(request.user, case)
    form = HandoverForm(_posted(request), colleagues=choices.coordinator_candidates)
    if request.method == "GET":
        return _action_page(request, pk, form, HANDOVER_PAGE)
    return _submit(
        request,
        pk,
        form,
        "handover_form",
        lambda f: participant_services.offer_handover(
            request.user, case, f.colleagues[f.cleaned_data["to_user"]], f.cleaned_data["message"]
        ),
        _("The coordinator role is offered. You keep it until it is accepted."),
        HANDOVER_PAGE,
    )


def _answer(
    request: HttpRequest, pk: int, handover_id: int, answer: Any, text: str
) -> HttpResponse:
    try:
        answer(request.user, handover_id)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, pk, exc)
    return _done(request, pk, text)


@staff_required
@require_POST
def accept_handover(request: HttpRequest, pk: int, handover_id: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        handover_id,
        participant_services.accept_handover,
        _("You are the coordinator now."),
    )


@staff_required
@require_POST
def decline_handover(request: HttpRequest, pk: int, handover_id: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        handover_id,
        participant_services.decline_handover,
        _("You declined the coordinator role."),
    )


@staff_required
@require_POST
def withdraw_handover(request: HttpRequest, pk: int, handover_id: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        handover_id,
        participant_services.withdraw_handover,
        _("The offer is withdrawn."),
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def add_participant(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    choices = case_pages.choices_for_change(request.user, case)
    form = ParticipantForm(_posted(request), units=choices.units)
    if request.method == "GET":
        return _action_page(request, pk, form, PARTICIPANT_PAGE)
    return _submit(
        request,
        pk,
        form,
        "participant_form",
        lambda f: participant_services.add_participant(
            request.user, case, unit=f.units[f.cleaned_data["unit"]], role=f.cleaned_data["role"]
        ),
        _("The service takes part in the case."),
        PARTICIPANT_PAGE,
        section=case_pages.PARTICIPANTS,
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def record_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the family's consent from the case: the case's services are offered first,
    and the recorded consent returns to the case's participants and consents."""
    case = _case(request, pk)
    # From the case, for those who work on it; the consent service decides the rest.
    permissions.require_write(request.user, case)
    child = policy.get_or_404(request.user, Person, case.child_id, policy.Purpose.CASEWORK)
    return consent_views.record_page(
        request,
        child,
        first_units=case_pages.participating_units(request.user, case),
        return_to=consent_views.ReturnTo(
            reverse("cases:participants", args=[pk]),
            _("Back to case %(reference)s") % {"reference": case.reference},
        ),
    )


@staff_required
@require_POST
def end_participation(request: HttpRequest, pk: int, participant_id: int) -> HttpResponse:
    _case(request, pk)
    try:
        participant_services.end_participation(request.user, participant_id)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, pk, exc, case_pages.PARTICIPANTS)
    return _done(request, pk, _("The participant has left the case."), case_pages.PARTICIPANTS)


@staff_required
@require_POST
def release_to_family(request: HttpRequest, pk: int) -> HttpResponse:
    """Release one record of a young person's case to the parents, or take it back."""
    case = _case(request, pk)
    released = request.POST.get("released") == "1"
    try:
        case_services.set_released_to_family(
            request.user,
            case,
            kind=request.POST.get("kind", ""),
            item_id=request.POST.get("item", ""),
            released=released,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, pk, exc, case_pages.PARTICIPANTS)
    if released:
        return _done(
            request,
            pk,
            _("Released to the parents: they see it on Min side."),
            case_pages.PARTICIPANTS,
        )
    return _done(
        request,
        pk,
        _("The release is taken back: the parents no longer see it."),
        case_pages.PARTICIPANTS,
    )


@staff_required
@require_POST
def add_goal(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return _submit(
        request,
        pk,
        GoalForm(request.POST, goals=case_pages.choices_for_change(request.user, case).goals),
        "goal_form",
        lambda f: measure_services.add_goal(
            request.user, case, f.cleaned_data["text"], f.goals.get(f.cleaned_data["parent"])
        ),
        _("The goal is added."),
        section=case_pages.GOALS,
    )


def _measure_form(request: HttpRequest, case: Any, data: Any = None, **kwargs: Any) -> MeasureForm:
    choices = case_pages.choices_for_change(request.user, case)
    return MeasureForm(
        data,
        units=choices.participating_units,
        people=choices.colleagues,
        goals=choices.goals,
        **kwargs,
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def add_measure(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = _measure_form(request, case, _posted(request))
    if request.method == "GET":
        return _action_page(request, pk, form, MEASURE_PAGE)
    return _submit(
        request,
        pk,
        form,
        "measure_form",
        lambda f: measure_services.add_measure(request.user, case, f.measure_fields()),
        _("The measure is added, with its evaluation date as a deadline."),
        MEASURE_PAGE,
        section=case_pages.GOALS,
    )


def _measure(request: HttpRequest, case: Any, measure_id: int) -> Measure:
    measure = policy.get_or_404(request.user, Measure, measure_id, case_services.READ)
    if measure.case_id != case.pk:
        raise Http404(_("Not found, or you do not have access."))
    return measure


def _measure_page(
    request: HttpRequest,
    case: Any,
    measure: Measure,
    *,
    form: MeasureForm | None,
    evaluation_form: EvaluationForm | None = None,
    conflict: case_services.EditConflict | None = None,
    status: int = 200,
) -> HttpResponse:
    evaluations = policy.list_page(
        request.user,
        policy.visible(request.user, MeasureEvaluation, case_services.READ, few_rows=True)
        .filter(measure=measure)
        .select_related("evaluated_by"),
        case_services.READ,
    )
    return render(
        request,
        "cases/case/measure.html",
        {
            "case": case,
            "measure": measure,
            "form": form,
            "conflict_rows": _conflict_rows(form, conflict) if form and conflict else None,
            "evaluations": evaluations,
            "evaluation_form": evaluation_form or EvaluationForm(),
        },
        status=status,
    )


def _shown_value(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if hasattr(value, "display_name"):
        return value.display_name()
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value)


def _conflict_rows(form: MeasureForm, conflict: case_services.EditConflict) -> list[tuple]:
    """The fields where the saved version and this user's edit differ, side by side."""
    rows = []
    for name in measure_services.MEASURE_EDITABLE:
        saved = getattr(conflict.current, name)
        mine = conflict.attempted[name]
        if saved != mine:
            rows.append((form.fields[name].label, _shown_value(saved), _shown_value(mine)))
    return rows


def _saved_measure_form(request: HttpRequest, case: Any, measure: Measure) -> MeasureForm | None:
    """The measure's edit form, for staff who may change the case (others only read)."""
    if not permissions.may_change(request.user, case):
        return None
    initial = {name: getattr(measure, name) for name in measure_services.MEASURE_EDITABLE}
    initial["responsible_unit"] = measure.responsible_unit_id
    initial["responsible_user"] = measure.responsible_user_id
    initial["goal"] = measure.goal_id
    initial["version"] = measure.version
    initial["who_sees"] = INTERNAL if measure.is_internal else SHARED
    return _measure_form(request, case, initial=initial)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def change_measure(request: HttpRequest, pk: int, measure_id: int) -> HttpResponse:
    """Edit a measure. A save based on an older version shows both versions to merge."""
    case = _case(request, pk)
    measure = _measure(request, case, measure_id)
    if request.method == "GET":
        return _measure_page(
            request, case, measure, form=_saved_measure_form(request, case, measure)
        )
    form = _measure_form(request, case, request.POST)
    if form.is_valid():
        try:
            measure_services.change_measure(
                request.user,
                measure,
                form.measure_fields(),
                based_on=form.cleaned_data["version"] or 0,
            )
        except case_services.EditConflict as exc:
            # The form now edits the newest version, keeping what this user typed.
            data = request.POST.copy()
            data[form.add_prefix("version")] = str(exc.current.version)
            merge_form = _measure_form(request, case, data)
            merge_form.is_valid()
            return _measure_page(
                request, case, exc.current, form=merge_form, conflict=exc, status=409
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            return _refused(request, pk, exc, case_pages.GOALS)
        else:
            return _done(request, pk, _("The measure is saved."), case_pages.GOALS)
    return _measure_page(request, case, measure, form=form, status=400)


@staff_required
@require_POST
def evaluate_measure(request: HttpRequest, pk: int, measure_id: int) -> HttpResponse:
    case = _case(request, pk)
    measure = _measure(request, case, measure_id)
    form = EvaluationForm(request.POST)
    if form.is_valid():
        try:
            measure_services.evaluate_measure(
                request.user,
                measure,
                what_worked=form.cleaned_data["what_worked"],
                decision=form.cleaned_data["decision"],
                next_evaluation_date=form.cleaned_data["next_evaluation_date"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            return _refused(request, pk, exc, case_pages.GOALS)
        else:
            return _done(request, pk, _("The evaluation is recorded."), case_pages.GOALS)
    return _measure_page(
        request,
        case,
        measure,
        form=_saved_measure_form(request, case, measure),
        evaluation_form=form,
        status=400,
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def write_log_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """The log section of the case page; a new entry is posted to the same address."""
    if request.method == "GET":
        return _render(request, pk, case_pages.LOG)
    case = _case(request, pk)
    return _submit(
        request,
        pk,
        LogEntryForm(request.POST),
        "log_form",
        lambda f: case_services.write_log_entry(
            request.user,
            case,
            kind=f.cleaned_data["kind"],
            text=f.cleaned_data["text"],
            internal_reason=f.cleaned_data["internal_reason"],
            third_party_checked=f.cleaned_data["third_party_checked"],
        ),
        _("The entry is in the shared log."),
        section=case_pages.LOG,
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def correct_log_entry(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    case = _case(request, pk)
    entry = policy.get_or_404(request.user, LogEntry, entry_id, case_services.READ)
    if entry.case_id != case.pk:
        raise Http404(_("Not found, or you do not have access."))
    if entry.author_id != request.user.pk:
        return _refused(
            request,
            pk,
            PermissionDenied(_("Only the author can correct an entry. Write a new entry instead.")),
            case_pages.LOG,
        )
    form = CorrectionForm(_posted(request), initial={"text": entry.text})
    if request.method == "POST" and form.is_valid():
        try:
            case_services.correct_log_entry(
                request.user,
                entry.pk,
                form.cleaned_data["text"],
                third_party_checked=form.cleaned_data["third_party_checked"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            return _refused(request, pk, exc, case_pages.LOG)
        else:
            return _done(
                request, pk, _("The entry is corrected. The earlier text is kept."), case_pages.LOG
            )
    return render(
        request,
        "cases/case/correct.html",
        {"case": case, "entry": entry, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def open_case(request: HttpRequest) -> HttpResponse:
    """Open a case from a concern, or (?henvendelse=<id>) from a request for help."""
    help_request = None
    request_id = request.GET.get("henvendelse") or request.POST.get("henvendelse")
    if request_id:
        help_request = policy.get_or_404(
            request.user, HelpRequest, request_id, policy.Purpose.CASEWORK
        )
    units = list(units_of(request.user).order_by("name"))
    if not units:
        raise PermissionDenied(_("You have no role in any unit. Ask your unit's administrator."))
    children = case_pages.openable_children(request.user)
    initial: dict[str, Any] = {"unit": help_request.unit_id} if help_request else {}
    # Back from registering the family (persons.views.family_register): the child is chosen.
    if request.GET.get("barn", "").isdigit():
        initial["child"] = int(request.GET["barn"])
    form = OpenCaseForm(
        _posted(request),
        children=children,
        units=units,
        from_request=help_request is not None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_services.open_case(
                request.user,
                child=form.children[data["child"]],
                unit=form.units[data["unit"]],
                origin=data.get("origin") or "help_request",
                concern=data["concern"],
                help_request=help_request,
                raised_by_name=data.get("raised_by_name", ""),
                raised_by_email=data.get("raised_by_email", ""),
                received_at=form.received_at(),
                coordinator_wish=data["coordinator_wish"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return _done(
                request,
                case.pk,
                _("Case %(reference)s is opened. You are its coordinator.")
                % {"reference": case.reference},
            )
    return render(
        request,
        "cases/case/open.html",
        {"form": form, "help_request": help_request},
        status=400 if request.method == "POST" else 200,
    )


# Individual plans ------------------------------------------------------------------------------


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def start_plan(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    choices = case_pages.choices_for_change(request.user, case)
    if plan_services.active_plan(request.user, case) is not None:
        return _refused(
            request,
            pk,
            ValidationError(_("The case already has an individual plan.")),
            case_pages.DECISIONS,
        )
    form = PlanForm(
        _posted(request),
        participants=choices.participants,
        consents=plan_services.plan_consents(request.user, case),
    )
    if request.method == "GET":
        return _action_page(request, pk, form, PLAN_PAGE)
    return _submit(
        request,
        pk,
        form,
        "plan_form",
        lambda f: plan_services.start_plan(
            request.user, case, f.cleaned_data["members"], f.cleaned_data["consent"]
        ),
        _("The individual plan is started."),
        PLAN_PAGE,
        section=case_pages.DECISIONS,
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def record_plan_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """A decision on the right to an individual plan, a coordinator or a child coordinator."""
    case = _case(request, pk)
    permissions.require_write(request.user, case)
    form = PlanDecisionForm(_posted(request), appeal_text=plan_decisions.appeal_text())
    page = _decision_page(case)
    if request.method == "GET":
        return _action_page(request, pk, form, page)
    return _submit(
        request,
        pk,
        form,
        "plan_decision_form",
        lambda f: plan_decisions.record_decision(
            request.user, case, plan_decisions.DecisionFields(**f.cleaned_data)
        ),
        _("The decision is recorded. The family can read it."),
        page,
        section=case_pages.DECISIONS,
    )


def _decision_page(case: Any) -> ActionPage:
    """The decision form's page; its help names the coordinating unit where recorded."""
    unit = plan_decisions.coordinating_unit(case.organisation_id)
    help = _(
        "Record the decision as it was made. A refusal needs its reason and how to appeal. "
        "The family reads the decision on Min side."
    )
    if unit is not None:
        help += " " + _(
            "%(unit)s is the coordinating unit: it appoints coordinators and child "
            "coordinators (helse- og omsorgstjenesteloven § 7-3)."
        ) % {"unit": unit.name}
    return ActionPage(
        "cases:record-plan-decision",
        gettext_lazy("Decision on individual plan or coordinator"),
        gettext_lazy("Record the decision"),
        help,
    )


@staff_required
@require_POST
def end_plan(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    plan = plan_services.active_plan(request.user, case)
    if plan is None:
        return _refused(
            request,
            pk,
            ValidationError(_("The case has no active individual plan.")),
            case_pages.DECISIONS,
        )
    try:
        plan_services.end_plan(request.user, plan)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, pk, exc, case_pages.DECISIONS)
    return _done(request, pk, _("The individual plan has ended."), case_pages.DECISIONS)


@never_cache
@staff_required
@require_GET
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    language = request.GET.get("språk", "nb")
    if language not in ("nb", "nn", "en"):
        language = "nb"
    try:
        pdf = plan_pages.plan_pdf(request.user, pk, language)
    except ValidationError as exc:
        return _refused(request, pk, exc, case_pages.DECISIONS)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="individuell-plan.pdf"'
    return response


@never_cache
@staff_required
@require_GET
def plan_register(request: HttpRequest) -> HttpResponse:
    return render(
        request, "cases/case/plan_register.html", {"register": plan_pages.register(request.user)}
    )


@never_cache
@staff_required
@require_GET
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The feedback to the person who raised a concern: what it says, and nothing else of the
    case."""
    feedback = feedback_services.get_feedback(request.user, pk)
    return render(request, "cases/feedback.html", {"feedback": feedback})
