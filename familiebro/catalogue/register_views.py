"""Editor pages of the instance's registers: /ansatt/krisenummer/ (the crisis lines the
finder shows for searches about danger) and /ansatt/program/ (the programme register).

Instance administrators only (permissions.can_edit_register); everyone else gets a 403 that
says whom to ask. Plain forms, no JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from familiebro.core.decorators import staff_required
from familiebro.core.responses import forbidden

from . import permissions, register_actions
from .models import CrisisLine, Programme
from .register_forms import CrisisLineForm, ProgrammeForm


def _refused(request: HttpRequest) -> HttpResponse:
    return forbidden(
        request,
        _(
            "Only the instance's administrators can change the programme register and the "
            "crisis numbers. Ask one of them to make the change."
        ),
        reverse("offer-editor-list"),
        _("Back to the offers"),
    )


@staff_required
@require_GET
def crisis_line_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can_edit_register(request.user):
        return _refused(request)
    lines = CrisisLine.objects.select_related("municipality").order_by(
        "municipality__name", "position", "name"
    )
    return render(request, "catalogue/editor/crisis_lines.html", {"lines": lines})


@staff_required
@require_http_methods(["GET", "POST"])
def crisis_line_edit(request: HttpRequest, line_id: int | None = None) -> HttpResponse:
    if not permissions.can_edit_register(request.user):
        return _refused(request)
    line = get_object_or_404(CrisisLine, pk=line_id) if line_id is not None else None
    if request.method == "POST":
        form = CrisisLineForm(request.POST, initial=_initial(line, CrisisLineForm))
        if form.is_valid():
            register_actions.save_crisis_line(request.user, form.cleaned_data, line)
            messages.success(request, _("The crisis number is saved."))
            return redirect("crisis-line-list")
    else:
        form = CrisisLineForm(initial=_initial(line, CrisisLineForm))
    return render(
        request,
        "catalogue/editor/register_form.html",
        {
            "form": form,
            "title": line.name if line else _("New crisis number"),
            "back_url": reverse("crisis-line-list"),
            "back_label": _("Back to the crisis numbers"),
        },
        status=400 if form.errors else 200,
    )


@staff_required
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can_edit_register(request.user):
        return _refused(request)
    return render(
        request,
        "catalogue/editor/programmes.html",
        {"programmes": Programme.objects.order_by("name")},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    if not permissions.can_edit_register(request.user):
        return _refused(request)
    programme = get_object_or_404(Programme, slug=slug) if slug is not None else None
    if request.method == "POST":
        form = ProgrammeForm(request.POST, initial=_initial(programme, ProgrammeForm))
        _unique_slug(form, programme)
        if form.is_valid():
            saved = register_actions.save_programme(request.user, form.cleaned_data, programme)
            messages.success(request, _("The programme is saved."))
            return redirect("finder:programme", slug=saved.slug)
    else:
        form = ProgrammeForm(initial=_initial(programme, ProgrammeForm))
    return render(
        request,
        "catalogue/editor/register_form.html",
        {
            "form": form,
            "title": programme.name if programme else _("New programme"),
            "back_url": reverse("programme-register-list"),
            "back_label": _("Back to the programme register"),
        },
        status=400 if form.errors else 200,
    )


def _initial(instance, form_class) -> dict:
    """The record's values as the form's initial data: the form is never given the record
    itself, so validating cannot write into it (the action does, in its transaction)."""
    if instance is None:
        return {}
    return {name: getattr(instance, name) for name in form_class.Meta.fields}


def _unique_slug(form: ProgrammeForm, programme: Programme | None) -> None:
    """A ModelForm without its instance takes the programme's own slug for a clash. A blank
    programme with the same key lets the uniqueness check leave it out, while what the form
    writes into its instance as it validates never reaches the stored programme."""
    if programme is not None:
        blank = Programme(pk=programme.pk)
        blank._state.adding = False  # a stored programme: the check leaves its own slug out
        form.instance = blank
