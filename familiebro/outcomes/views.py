"""Session scales: the case's page (/ansatt/saker/<id>/skalaer/), filling a scale on the
staff member's screen, handing the family a link, and the family's own page behind that link
(/skjema/<token>/), made for a phone first. Thin views over scale_services and scale_pages."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.cases import case_services
from familiebro.core.decorators import staff_required

from . import scale_pages, scale_services
from .forms import AnswerForm, LinkForm, RaterForm, StaffAnswerForm
from .models import Instrument

# The two session scales by the word in the address (?skala=…).
SCALES = {"trivsel": Instrument.Kind.WELLBEING, "samarbeid": Instrument.Kind.ALLIANCE}


def _scale_choices() -> list[tuple[str, str]]:
    return [
        ("trivsel", _("Wellbeing scale (start of a session)")),
        ("samarbeid", _("Alliance scale (end of a session)")),
    ]


def _render_page(request: HttpRequest, pk: int, status: int = 200, **forms: Any) -> HttpResponse:
    page = scale_pages.scales_page(request.user, pk)
    context: dict[str, Any] = {"page": page, "case": page.case}
    if page.can_change:
        context["rater_form"] = forms.get("rater_form") or RaterForm()
        if page.raters:
            context["link_form"] = forms.get("link_form") or LinkForm(
                raters=[r.rater for r in page.raters],
                scales=_scale_choices(),
                initial={
                    "rater": page.raters[0].rater.pk,
                    "scale": "trivsel",
                    "session": page.raters[0].next_wellbeing,
                },
            )
    context.update(forms)
    return render(request, "outcomes/scales.html", context, status=status)


@never_cache
@staff_required
@require_GET
def scales(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_page(request, pk)


def _refused(request: HttpRequest, pk: int, exc: Exception) -> HttpResponse:
    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)
    return redirect("outcomes:scales", pk=pk)


@staff_required
@require_POST
def add_rater(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_services.get_case(request.user, pk)
    form = RaterForm(request.POST)
    if form.is_valid():
        try:
            rater = scale_services.add_rater(
                request.user, case, form.cleaned_data["label"], form.cleaned_data["kind"]
            )
        except PermissionDenied as exc:
            return _refused(request, pk, exc)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("%(rater)s is added.") % {"rater": rater.label})
            return redirect("outcomes:scales", pk=pk)
    return _render_page(request, pk, status=400, rater_form=form)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def fill(request: HttpRequest, pk: int) -> HttpResponse:
    """A scale filled on the staff member's screen: the address names the rater and scale."""
    word = request.GET.get("skala", "trivsel")
    kind = SCALES.get(word, Instrument.Kind.WELLBEING)
    page = scale_pages.scales_page(request.user, pk)
    case = page.case
    if not page.can_change:
        raise PermissionDenied(
            _(
                "Only the unit that owns this case and the services taking part in it can "
                "record scores. Ask the case's coordinator to add you or your unit as a "
                "participant."
            )
        )
    raters = {str(view.rater.pk): view for view in page.raters}
    view = raters.get(request.GET.get("utfyller", ""))
    if view is None:
        messages.error(request, _("Choose who is answering: add them first if they are new."))
        return redirect("outcomes:scales", pk=pk)
    try:
        version = scale_services.current_version(scale_services.session_instrument(kind))
    except ValidationError as exc:
        return _refused(request, pk, exc)
    items = scale_services.items_of(version)
    session = view.next_wellbeing if kind == Instrument.Kind.WELLBEING else view.next_alliance
    form = StaffAnswerForm(
        request.POST if request.method == "POST" else None,
        items=items,
        initial={"session": session},
    )
    if request.method == "POST" and form.is_valid():
        try:
            score = scale_services.record_score(
                request.user,
                case,
                view.rater.pk,
                kind,
                form.cleaned_data["session"],
                form.cleaned_data,
            )
        except PermissionDenied as exc:
            return _refused(request, pk, exc)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("The score %(total)d for session %(session)d is recorded.")
                % {"total": score.total, "session": score.session},
            )
            return redirect("outcomes:scales", pk=pk)
    return render(
        request,
        "outcomes/fill.html",
        {"case": case, "rater": view.rater, "version": version, "form": form, "word": word},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@staff_required
@require_POST
def make_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A single-use link for the family's own phone, shown once with its QR code."""
    page = scale_pages.scales_page(request.user, pk)
    case = page.case
    form = LinkForm(request.POST, raters=[r.rater for r in page.raters], scales=_scale_choices())
    if form.is_valid():
        try:
            link = scale_services.make_link(
                request.user,
                case,
                form.cleaned_data["rater"],
                SCALES[form.cleaned_data["scale"]],
                form.cleaned_data["session"],
            )
        except PermissionDenied as exc:
            return _refused(request, pk, exc)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            url = request.build_absolute_uri(link.url)
            return render(
                request,
                "outcomes/link.html",
                {
                    "case": case,
                    "link": link,
                    "url": url,
                    "qr": segno.make(url, error="m").svg_data_uri(scale=4),
                },
            )
    if not page.can_change:
        raise PermissionDenied(_("Only those who work on the case can hand out links."))
    return _render_page(request, pk, status=400, link_form=form)


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The family's page behind their link: no login, no case, only the questions."""
    try:
        target = scale_services.open_link(token)
    except scale_services.LinkError as exc:
        return render(request, "outcomes/answer_gone.html", {"message": str(exc)}, status=410)
    form = AnswerForm(request.POST if request.method == "POST" else None, items=target.items)
    if request.method == "POST" and form.is_valid():
        try:
            scale_services.answer_by_link(token, form.cleaned_data)
        except scale_services.LinkError as exc:
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
