"""Meeting pages: /ansatt/saker/<case>/moter/… Thin views over meetings.services.

Moving and cancelling have pages of their own, reached from the meeting page while the
meeting is still ahead. Both send the meeting's calendar sequence the form was opened on; if
someone moved the meeting since, nothing is changed and the form is shown again (status 409)
with the meeting as it is now.

The meeting page is also "meeting mode": the minutes are written in a plain form that saves
with a button, and minutes.js saves the same form in the background as it is typed. Both
send the version the text is based on; a save based on an older version is refused and
shows both versions to merge (a page with status 409, or JSON for the script).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.core.decorators import staff_required

from .. import case_pages, case_services, permissions
from ..deadlines import rules as deadline_rules
from ..models import Case, Meeting
from . import pages as meeting_pages
from . import services as meeting_services
from .forms import (
    CancelMeetingForm,
    DecisionMeasureForm,
    InvitationForm,
    MinutesForm,
    MoveMeetingForm,
    PlanMeetingForm,
)


def _case(request: HttpRequest, pk: int) -> Case:
    return case_services.get_case(request.user, pk)


def _meeting_url(case: Case, meeting: Meeting, anchor: str = "") -> str:
    url = reverse("cases:meeting", args=[case.pk, meeting.pk])
    return f"{url}#{anchor}" if anchor else url


def _refused(request: HttpRequest, case: Case, exc: Exception) -> HttpResponse:
    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)
    return redirect("cases:detail", pk=case.pk)


def _refused_here(
    request: HttpRequest, case: Case, meeting: Meeting, exc: ValidationError, anchor: str
) -> HttpResponse:
    messages.error(request, "; ".join(exc.messages))
    return redirect(_meeting_url(case, meeting, anchor))


def _plan_form(planner: Any, case: Case, data: Any = None) -> PlanMeetingForm:
    phase = case.pathway_version.parsed.phase(case.phase)
    suggested = next((k for k in phase.meetings if k in Meeting.Kind.values), "")
    reached = (
        meeting_services.bup_meetings_without_referral(planner, case)
        >= meeting_services.BUP_WITHOUT_REFERRAL_LIMIT
    )
    return PlanMeetingForm(data, bup_limit_reached=reached, initial_kind=suggested)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def plan_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if not permissions.may_change(request.user, case):
        return _refused(
            request,
            case,
            PermissionDenied(_("Only the staff working on the case can plan its meetings.")),
        )
    form = _plan_form(request.user, case, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at, ends_at = form.moments()
        try:
            meeting = meeting_services.plan_meeting(
                request.user,
                case,
                kind=data["kind"],
                starts_at=starts_at,
                ends_at=ends_at,
                place=data["place"],
                agenda=data["agenda"],
                bup_without_referral=data["bup_without_referral"],
                bup_limit_confirmed=data.get("bup_limit_confirmed", False),
                gp_to_be_invited=data["gp_to_be_invited"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            return _refused(request, case, exc)
        else:
            messages.success(request, _("The meeting is planned. Invite the participants."))
            if data["gp_to_be_invited"] and deadline_rules.gp_notice_is_short(
                starts_at, timezone.now()
            ):
                messages.warning(request, _gp_warning())
            return redirect(_meeting_url(case, meeting))
    bup_count = meeting_services.bup_meetings_without_referral(request.user, case)
    return render(
        request,
        "cases/meeting/plan.html",
        {
            "case": case,
            "form": form,
            "bup_warning": meeting_services.bup_limit_warning(bup_count)
            if "bup_limit_confirmed" in form.fields
            else "",
        },
        status=400 if request.method == "POST" else 200,
    )


def _gp_warning() -> str:
    return _(
        "The meeting is less than four weeks away. GPs plan their days at least four weeks "
        "ahead, so the GP may not be able to come: consider moving the meeting, or call the "
        "GP's office."
    )


def _forms(
    request: HttpRequest, page: meeting_pages.MeetingPage, bound: dict[str, Any]
) -> dict[str, Any]:
    if not page.can_change or page.is_cancelled:
        return {}
    case = page.meeting.case
    choices = case_pages.choices_for_change(request.user, case)
    forms: dict[str, Any] = {
        "measure_form": DecisionMeasureForm(
            units=choices.participating_units,
            people=choices.colleagues,
            goals=choices.goals,
        ),
    }
    if page.is_planned:
        who = meeting_pages.invitees(request.user, case, choices.participants)
        forms["invite_form"] = InvitationForm(people=who.colleagues, family=who.family)
    if not page.approved:
        meeting = page.meeting
        forms["minutes_form"] = MinutesForm(
            initial={"text": meeting.minutes, "version": meeting.minutes_version}
        )
    forms.update(bound)
    return forms


def _render(
    request: HttpRequest,
    case: Case,
    meeting: Meeting,
    *,
    status: int = 200,
    conflict: meeting_services.MinutesConflict | None = None,
    **bound: Any,
) -> HttpResponse:
    page = meeting_pages.meeting_page(request.user, case, meeting)
    context = {
        "case": case,
        "meeting": meeting,
        "page": page,
        "short_gp": {i.pk for i in page.invitations if meeting_services.short_gp_notice(i)},
        "conflict": conflict,
        **_forms(request, page, bound),
    }
    return render(request, "cases/meeting/detail.html", context, status=status)


@never_cache
@staff_required
@require_GET
def meeting(request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
    case = _case(request, pk)
    return _render(request, case, meeting_services.get_meeting(request.user, case, meeting_id))


@staff_required
@require_POST
def invite(request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
    case = _case(request, pk)
    meeting = meeting_services.get_meeting(request.user, case, meeting_id)
    choices = case_pages.choices_for_change(request.user, case)
    who = meeting_pages.invitees(request.user, case, choices.participants)
    form = InvitationForm(request.POST, people=who.colleagues, family=who.family)
    if form.is_valid():
        try:
            invitation = meeting_services.invite(
                request.user, meeting, site_url=request.build_absolute_uri("/"), **form.invitee()
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # over, cancelled, or the case is closed
                return _refused_here(request, case, meeting, exc, "invitations-heading")
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            return _refused(request, case, exc)
        else:
            messages.success(
                request,
                _("The invitation is sent to %(name)s, with the meeting for their calendar.")
                % {"name": invitation.name},
            )
            if meeting_services.short_gp_notice(invitation):
                messages.warning(request, _gp_warning())
            return redirect(_meeting_url(case, meeting, "invitations-heading"))
    return _render(request, case, meeting, status=400, invite_form=form)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _saved_status(meeting: Meeting) -> str:
    saved = timezone.localtime(meeting.minutes_saved_at or timezone.now())
    return _("Saved %(time)s") % {"time": formats.time_format(saved, "H:i")}


def _conflict_message() -> str:
    return _(
        "Someone else saved the minutes while you were writing. Nothing was overwritten and "
        "your text is still in the box. Press “Save the minutes” to see both versions side by "
        "side, and merge them."
    )


def _merge_view(
    request: HttpRequest, case: Case, exc: meeting_services.MinutesConflict
) -> HttpResponse:
    """The meeting page with both versions side by side; the form now edits the newest
    version and holds what this user wrote."""
    saved = exc.current
    form = MinutesForm(
        {
            "minutes-text": exc.attempted["minutes"],
            "minutes-version": str(saved.minutes_version),
        }
    )
    form.is_valid()
    return _render(request, case, saved, status=409, conflict=exc, minutes_form=form)


@staff_required
@require_POST
def save_minutes(request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
    """Save the minutes: from the form (redirect back), or from minutes.js (JSON)."""
    case = _case(request, pk)
    meeting = meeting_services.get_meeting(request.user, case, meeting_id)
    form = MinutesForm(request.POST)
    as_json = _wants_json(request)
    if not form.is_valid():
        if as_json:
            errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
            return JsonResponse({"error": " ".join(errors)}, status=400)
        return _render(request, case, meeting, status=400, minutes_form=form)
    try:
        saved = meeting_services.save_minutes(
            request.user, meeting, form.cleaned_data["text"], form.cleaned_data["version"] or 0
        )
    except meeting_services.MinutesConflict as exc:
        if as_json:
            return JsonResponse(
                {"conflict": True, "error": _conflict_message()},
                status=409,
            )
        return _merge_view(request, case, exc)
    except PermissionDenied as exc:
        if as_json:
            return JsonResponse({"error": str(exc)}, status=403)
        return _refused(request, case, exc)
    except ValidationError as exc:
        if as_json:
            return JsonResponse({"error": "; ".join(exc.messages)}, status=400)
        if not hasattr(exc, "error_dict"):  # approved, or the case is closed
            messages.error(request, "; ".join(exc.messages))
            return redirect(_meeting_url(case, meeting, "minutes-heading"))
        form.add_service_errors(exc)
        return _render(request, case, meeting, status=400, minutes_form=form)
    if as_json:
        return JsonResponse({"version": saved.minutes_version, "status": _saved_status(saved)})
    messages.success(request, _saved_status(saved))
    return redirect(_meeting_url(case, meeting, "minutes-heading"))


@staff_required
@require_POST
def approve_minutes(request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
    """Approve the minutes and share them to the family's log. Sent from the minutes form, it
    first saves what is in the box, so nothing typed since the last save is left out."""
    case = _case(request, pk)
    meeting = meeting_services.get_meeting(request.user, case, meeting_id)
    form = MinutesForm(request.POST)
    try:
        if form.add_prefix("text") in request.POST:
            if not form.is_valid():
                return _render(request, case, meeting, status=400, minutes_form=form)
            meeting = meeting_services.save_minutes(
                request.user,
                meeting,
                form.cleaned_data["text"],
                form.cleaned_data["version"] or 0,
            )
        meeting_services.approve_minutes(request.user, meeting)
    except meeting_services.MinutesConflict as exc:
        return _merge_view(request, case, exc)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect(_meeting_url(case, meeting, "minutes-heading"))
    except PermissionDenied as exc:
        return _refused(request, case, exc)
    messages.success(
        request, _("The minutes are approved and shared in the family's log. They are locked now.")
    )
    return redirect(_meeting_url(case, meeting, "minutes-heading"))


@staff_required
@require_POST
def add_measure(request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
    case = _case(request, pk)
    meeting = meeting_services.get_meeting(request.user, case, meeting_id)
    choices = case_pages.choices_for_change(request.user, case)
    form = DecisionMeasureForm(
        request.POST,
        units=choices.participating_units,
        people=choices.colleagues,
        goals=choices.goals,
    )
    if form.is_valid():
        try:
            meeting_services.measure_from_decision(request.user, meeting, form.measure_fields())
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # cancelled, or the case is closed
                return _refused_here(request, case, meeting, exc, "measures-heading")
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            return _refused(request, case, exc)
        else:
            messages.success(
                request,
                _("The decision is a measure on the case, with its evaluation date as a deadline."),
            )
            return redirect(_meeting_url(case, meeting, "measures-heading"))
    return _render(request, case, meeting, status=400, measure_form=form)


def _change_page(
    request: HttpRequest,
    case: Case,
    meeting_id: int,
    form_class: Any,
    template: str,
    change: Any,
    done: Any,
) -> HttpResponse:
    """The page to move or to cancel a meeting: the form, then one service call. `change`
    calls the service with the valid form; `done` says what happened."""
    try:
        meeting = meeting_services.meeting_for_change(request.user, case, meeting_id)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect(reverse("cases:meeting", args=[case.pk, meeting_id]))
    form = form_class(request.POST or None, meeting=meeting)
    conflict = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = change(meeting, form)
            except meeting_services.MeetingChanged as exc:
                # The form now works on the meeting as it is, keeping what this user typed.
                conflict, meeting, status = exc, exc.current, 409
                data = request.POST.copy()
                data[form.add_prefix("sequence")] = str(meeting.calendar_sequence)
                form = form_class(data, meeting=meeting)
                form.is_valid()
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, done(result))
                if result.gp_notice_short:
                    messages.warning(request, _gp_warning())
                return redirect(_meeting_url(case, meeting))
    context = {"case": case, "meeting": meeting, "form": form, "conflict": conflict}
    return render(request, template, context, status=status)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def move_meeting(request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
    def move(meeting: Meeting, form: MoveMeetingForm) -> meeting_services.MeetingChange:
        starts_at, ends_at = form.moments()
        return meeting_services.move_meeting(
            request.user,
            meeting,
            starts_at=starts_at,
            ends_at=ends_at,
            place=form.cleaned_data["place"],
            based_on_sequence=form.cleaned_data["sequence"],
            site_url=request.build_absolute_uri("/"),
        )

    def done(change: meeting_services.MeetingChange) -> str:
        if not change.notified:
            return _("The meeting is moved. Nobody was invited yet, so no e-mail went out.")
        return ngettext(
            "The meeting is moved. The person invited got the new time for their calendar.",
            "The meeting is moved. The %(n)d people invited got the new time for their calendar.",
            change.notified,
        ) % {"n": change.notified}

    case = _case(request, pk)
    return _change_page(
        request, case, meeting_id, MoveMeetingForm, "cases/meeting/move.html", move, done
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def cancel_meeting(request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
    def cancel(meeting: Meeting, form: CancelMeetingForm) -> meeting_services.MeetingChange:
        return meeting_services.cancel_meeting(
            request.user,
            meeting,
            reason=form.cleaned_data["reason"],
            based_on_sequence=form.cleaned_data["sequence"],
            site_url=request.build_absolute_uri("/"),
        )

    def done(change: meeting_services.MeetingChange) -> str:
        if not change.notified:
            return _("The meeting is cancelled. Nobody was invited, so no e-mail went out.")
        return ngettext(
            "The meeting is cancelled. The person invited got the cancellation for their calendar.",
            "The meeting is cancelled. The %(n)d people invited got the cancellation for their "
            "calendar.",
            change.notified,
        ) % {"n": change.notified}

    case = _case(request, pk)
    return _change_page(
        request, case, meeting_id, CancelMeetingForm, "cases/meeting/cancel.html", cancel, done
    )
