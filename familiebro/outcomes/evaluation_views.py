"""Anonymous evaluations: staff hand out a link for one of their units (/ansatt/evalueringer/),
the family answers on their phone (/evaluering/<token>/), and the unit's year is summed up
with small groups suppressed. Thin views over evaluation_services."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.core.decorators import staff_required
from familiebro.privacy.consultation import units_of

from . import evaluation_services
from .forms import AnswerForm, EvaluationLinkForm
from .models import AnonymousAnswer
from .scale_services import LinkError


def _link_form(request: HttpRequest, data: Any = None) -> EvaluationLinkForm:
    return EvaluationLinkForm(
        data,
        units=list(units_of(request.user).order_by("name")),
        versions=evaluation_services.evaluation_versions(),
    )


def _page(request: HttpRequest, form: EvaluationLinkForm, status: int = 200) -> HttpResponse:
    units = list(units_of(request.user).order_by("name"))
    this_year = timezone.localdate().year
    raw = request.GET.get("ar", "")
    # A year the product can have answers for; anything else shows this year. isdigit()
    # alone says yes to digits int() refuses (a superscript two), so ASCII digits only.
    year = int(raw) if raw.isascii() and raw.isdigit() else this_year
    if not 2000 <= year <= this_year + 1:
        year = this_year
    chosen = next((u for u in units if str(u.pk) == request.GET.get("enhet")), None)
    summaries = evaluation_services.unit_summaries(request.user, chosen.pk, year) if chosen else []
    return render(
        request,
        "outcomes/evaluations.html",
        {
            "form": form,
            "units": units,
            "chosen": chosen,
            "year": year,
            "summaries": summaries,
            "min_group": evaluation_services.MIN_GROUP,
            "leads": bool(evaluation_services.led_units(request.user)),
        },
        status=status,
    )


@never_cache
@staff_required
@require_GET
def evaluations(request: HttpRequest) -> HttpResponse:
    return _page(request, _link_form(request))


@never_cache
@staff_required
@require_POST
def make_link(request: HttpRequest) -> HttpResponse:
    form = _link_form(request, request.POST)
    if form.is_valid():
        try:
            link = evaluation_services.make_evaluation_link(
                request.user,
                form.cleaned_data["unit"],
                form.cleaned_data["activity"],
                form.cleaned_data["instrument"],
            )
        except (PermissionDenied, ValidationError) as exc:
            form.add_service_errors(
                exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            )
        else:
            url = request.build_absolute_uri(link.url)
            return render(
                request,
                "outcomes/evaluation_link.html",
                {"link": link, "url": url, "qr": segno.make(url, error="m").svg_data_uri(scale=4)},
            )
    return _page(request, form, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, token: str) -> HttpResponse:
    """The family's anonymous form: no login, nothing about who they are."""
    try:
        target = evaluation_services.open_evaluation(token)
    except LinkError as exc:
        return render(request, "outcomes/answer_gone.html", {"message": str(exc)}, status=410)
    form = AnswerForm(request.POST if request.method == "POST" else None, items=target.items)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_services.answer_evaluation(token, form.cleaned_data)
        except LinkError as exc:
            return render(request, "outcomes/answer_gone.html", {"message": str(exc)}, status=410)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return render(request, "outcomes/answer_thanks.html")
    return render(
        request,
        "outcomes/answer.html",
        {"target": target, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def held(request: HttpRequest) -> HttpResponse:
    """The leader's page: the free text held back because it may identify someone, to redact
    and release. Only leaders of the answers' unit see it; everyone else gets 403."""
    errors: list[str] = []
    failed = ""
    status = 200
    if request.method == "POST":
        answer_id = request.POST.get("svar", "")
        texts = {
            key.removeprefix("tekst-"): value
            for key, value in request.POST.items()
            if key.startswith("tekst-")
        }
        try:
            evaluation_services.release_held(request.user, answer_id, texts)
        except AnonymousAnswer.DoesNotExist:
            messages.error(request, _("That comment is no longer waiting. Nothing was changed."))
            return redirect("outcomes:held")
        except ValidationError as exc:
            errors = [str(m) for msgs in exc.message_dict.values() for m in msgs]
            failed, status = answer_id, 400
        else:
            messages.success(request, _("The comment is released."))
            return redirect("outcomes:held")
    held_answers = evaluation_services.held_answers(request.user)
    if failed:  # keep what the leader wrote in the answer that was refused
        held_answers = [
            evaluation_services.HeldAnswer(
                e.answer, [(i, request.POST.get(f"tekst-{i.key}", t)) for i, t in e.texts]
            )
            if str(e.answer.pk) == failed
            else e
            for e in held_answers
        ]
    return render(
        request,
        "outcomes/held.html",
        {
            "held": held_answers,
            "errors": errors,
            "failed": failed,
            "max_text": evaluation_services.MAX_TEXT,
        },
        status=status,
    )
