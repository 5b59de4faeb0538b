"""Screens for exceptional access and the leaders' report of it.

The flow keeps the search result in the session, never in a URL: the identity number is only
ever POSTed, and the next step offers only the registrations the search found.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.core.decorators import staff_required
from familiebro.core.forms import IdentityLookupForm, StyledForm
from familiebro.core.responses import forbidden

from . import exceptional

SESSION_KEY = "familiebro_exceptional_lookup"

DURATIONS = {
    "1h": (datetime.timedelta(hours=1), gettext_lazy("1 hour")),
    "2h": (datetime.timedelta(hours=2), gettext_lazy("2 hours")),
    "4h": (datetime.timedelta(hours=4), gettext_lazy("4 hours (the most for break-glass)")),
}


class OpenAccessForm(StyledForm):
    person = forms.TypedChoiceField(
        label=gettext_lazy("Which registration do you need?"),
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
        error_messages={"required": gettext_lazy("Choose the registration you need.")},
    )
    duration = forms.ChoiceField(
        label=gettext_lazy("For how long"),
        help_text=gettext_lazy("Choose the shortest time you need. The access ends by itself."),
        choices=[(key, label) for key, (_delta, label) in DURATIONS.items()],
        initial="1h",
    )
    reason = forms.CharField(
        label=gettext_lazy("Why do you need access?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def __init__(self, *args: Any, candidates: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_names = {c["person_id"]: c["organisation_name"] for c in candidates}
        field = self.fields["person"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = list(self.organisation_names.items())
        if len(candidates) == 1:
            field.initial = candidates[0]["person_id"]
        self.fields["reason"].help_text = _(
            "At least %(n)s characters. Your leader reads it. Do not write the identity number."
        ) % {"n": exceptional.MIN_REASON_LENGTH}

    def organisation_name(self) -> str:
        return self.organisation_names[self.cleaned_data["person"]]

    def duration_value(self) -> datetime.timedelta:
        return DURATIONS[self.cleaned_data["duration"]][0]


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return forbidden(request, str(exc), reverse("staff-home"), _("Back to my page"))


def _lookup_in_session(request: HttpRequest) -> dict[str, Any] | None:
    lookup = request.session.get(SESSION_KEY)
    if not lookup:
        return None
    looked_up_at = datetime.datetime.fromisoformat(lookup["at"])
    if not exceptional.lookup_still_valid(looked_up_at):
        del request.session[SESSION_KEY]
        return None
    return {**lookup, "at": looked_up_at}


@staff_required
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    form = IdentityLookupForm(request.POST or None)
    searched = False
    if request.method == "POST" and form.is_valid():
        try:
            candidates = exceptional.find_for_exceptional_access(
                request.user, form.cleaned_data["national_id"]
            )
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ValidationError as exc:
            form.add_error("national_id", exc.message_dict.get("national_id", exc.messages))
        else:
            searched = True
            if candidates:
                request.session[SESSION_KEY] = {
                    "candidates": [
                        {"person_id": c.person_id, "organisation_name": c.organisation_name}
                        for c in candidates
                    ],
                    "at": timezone.now().isoformat(),
                }
                return redirect("exceptional-access-open")
    return render(
        request,
        "privacy/exceptional/lookup.html",
        {"form": form, "searched": searched},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def open_access(request: HttpRequest) -> HttpResponse:
    found = _lookup_in_session(request)
    if found is None:
        messages.info(request, _("Search for the person by identity number first."))
        return redirect("exceptional-access-lookup")
    candidates = found["candidates"]
    form = OpenAccessForm(request.POST or None, candidates=candidates)
    # The confirmation step shows the choices once more; "change" goes back to the form.
    if request.method == "POST" and form.is_valid() and "change" not in request.POST:
        if "confirm" not in request.POST:
            return render(
                request,
                "privacy/exceptional/confirm.html",
                {"form": form, "organisation": form.organisation_name()},
            )
        data = form.cleaned_data
        try:
            access = exceptional.open_access(
                request.user,
                person_id=data["person"],
                found_person_ids={c["person_id"] for c in candidates},
                looked_up_at=found["at"],
                reason=data["reason"],
                duration=form.duration_value(),
            )
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            del request.session[SESSION_KEY]
            messages.warning(
                request,
                _(
                    "Break-glass access is open until %(time)s. It is logged and reported to "
                    "your leader, who reviews it."
                )
                % {"time": f"{timezone.localtime(access.expires_at):%d.%m.%Y %H:%M}"},
            )
            return redirect("person-detail", person_id=access.person_id)
    return render(
        request,
        "privacy/exceptional/open.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_required
@require_GET
def leader_report(request: HttpRequest) -> HttpResponse:
    try:
        page = exceptional.leader_report(request.user, request.GET.get("side"))
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    return render(request, "privacy/exceptional/report.html", {"page": page})


@staff_required
@require_POST
def review(request: HttpRequest, access_id: int) -> HttpResponse:
    exceptional.review(request.user, access_id)
    messages.success(request, _("The access is marked as reviewed."))
    return redirect("exceptional-access-report")


class HidingForm(StyledForm):
    justification = forms.CharField(
        label=gettext_lazy("Why must the family not see it yet?"),
        help_text=gettext_lazy(
            "Only when telling the family would harm the child or what the access was for, "
            "for example during a child welfare investigation."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 30}),
        max_length=2000,
        error_messages={"required": gettext_lazy("Write why the family must not see it yet.")},
    )
    until = forms.DateField(
        label=gettext_lazy("Hidden until and including"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        help_text=gettext_lazy(
            "At most six months ahead. The day after, the family sees the access. To keep it "
            "hidden longer, decide again before then."
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Choose the last day the family is not to see the access."),
            "invalid": gettext_lazy("Write the date as dd.mm.yyyy, for example 31.03.2027."),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def hiding(request: HttpRequest, access_id: int) -> HttpResponse:
    """The data controller's decision whether the family sees an access: by a leader of the
    opener's units, with the reason and an end date."""
    access = exceptional.access_for_hiding(request.user, access_id)
    initial = {"justification": access.hiding_justification, "until": access.hidden_until}
    form = HidingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            exceptional.decide_hiding(
                request.user,
                access_id,
                justification=form.cleaned_data["justification"],
                until=form.cleaned_data["until"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The access is hidden from the family until the date."))
            return redirect("exceptional-access-report")
    return render(
        request,
        "privacy/exceptional/hiding.html",
        {"form": form, "access": access, "today": timezone.localdate()},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_required
@require_POST
def show_to_family(request: HttpRequest, access_id: int) -> HttpResponse:
    exceptional.show_to_family(request.user, access_id)
    messages.success(request, _("The family now sees the access in their access log."))
    return redirect("exceptional-access-report")
