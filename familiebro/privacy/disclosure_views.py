"""Screens of the disclosure flow: asking another service, and answering as its leader."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from familiebro.core.decorators import staff_required
from familiebro.core.models import Person
from familiebro.core.responses import forbidden

from . import disclosure, policy
from .disclosure_forms import AnswerForm, RequestForm


def _errors_to_form(form: RequestForm | AnswerForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@staff_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/disclosure/list.html",
        {
            "sent": disclosure.sent_requests(request.user),
            "received": disclosure.received_requests(request.user),
            "answers": disclosure.answers_requests(request.user),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest, person_id: int) -> HttpResponse:
    person = policy.get_or_404(request.user, Person, person_id, policy.Purpose.CASEWORK)
    asking = disclosure.asking_units(request.user, person)
    if not asking:
        return forbidden(
            request,
            _(
                "Only staff who work with the person in their own service can ask another "
                "service about them. Ask the person's coordinator or your leader to assign you."
            ),
            reverse("person-detail", args=[person.pk]),
            _("Back to the person"),
        )
    holders = list(disclosure.units_to_ask(asking[0] if len(asking) == 1 else None))
    # An empty post is bound too: it gets the form's errors, not an empty form.
    posted = request.POST if request.method == "POST" else None
    form = RequestForm(posted, asking=asking, holders=holders)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = disclosure.send_request(
                request.user,
                person,
                asking_unit_id=data["asking_unit"],
                holder_unit_id=data["holder_unit"],
                ground=data["ground"],
                question=data["question"],
            )
        except PermissionDenied as exc:
            return forbidden(
                request, str(exc), reverse("person-detail", args=[person.pk]), _("Back")
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("The request is sent to %(unit)s. You see the answer here when it comes.")
                % {"unit": sent.holder_unit.name},
            )
            return redirect("disclosure-sent", pk=sent.pk)
    return render(
        request,
        "privacy/disclosure/new.html",
        {"form": form, "person": person},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_required
@require_GET
def sent(request: HttpRequest, pk: int) -> HttpResponse:
    return render(
        request,
        "privacy/disclosure/sent.html",
        {"item": disclosure.sent_request(request.user, pk)},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def received(request: HttpRequest, pk: int) -> HttpResponse:
    found = disclosure.received_request(request.user, pk)
    item = found.request
    posted = request.POST if request.method == "POST" else None
    form = AnswerForm(posted, matches=found.matches)
    if request.method == "POST" and item.status == item.Status.SENT and form.is_valid():
        data = form.cleaned_data
        try:
            disclosure.answer(
                request.user,
                pk,
                disclose=data["decision"] == AnswerForm.DISCLOSE,
                text=data["text"],
                holder_person_id=data["holder_person"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Your answer is recorded and sent to the asking service."))
            return redirect("disclosure-received", pk=pk)
    elif request.method == "POST" and item.status != item.Status.SENT:
        form.add_error(None, _("This request has already been answered."))
    return render(
        request,
        "privacy/disclosure/received.html",
        {"item": item, "matches": found.matches, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def waiting_notice(request: HttpRequest) -> str:
    """The start page's note to a leader that requests to their units await an answer."""
    if not getattr(request.user, "is_authenticated", False):
        return ""
    waiting = disclosure.waiting_count(request.user)
    if not waiting:
        return ""
    return render_to_string(
        "privacy/disclosure/_waiting.html", {"waiting": waiting}, request=request
    )
