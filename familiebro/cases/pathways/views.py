"""Staff pages for pathway definitions: /ansatt/forlop/…

Any staff member may read the definitions (they hold no personal data). Publishing a version
and choosing a pathway are refused with 403 and the reason to whoever may not do it
(pathways.services says who may). Every page works without JavaScript: the specification is
edited as text in a textarea or uploaded as a file, and "check" and "publish" are two submit
buttons of the same form.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from familiebro.core.decorators import staff_required
from familiebro.core.responses import forbidden

from .. import permissions
from ..models import PathwayVersion
from . import pages, services
from .forms import ChooseForm, NewVersionForm
from .spec import parse_spec


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return forbidden(request, str(exc), reverse("pathways:list"), _("Back to the pathways"))


def _version(key: str, number: int | None = None) -> PathwayVersion:
    try:
        return services.version_of(key, number)
    except ValidationError:
        raise Http404(_("There is no such pathway version.")) from None


@staff_required
@require_GET
def pathway_list(request: HttpRequest) -> HttpResponse:
    context = {
        "rows": pages.overview(request.user),
        "may_publish": permissions.may_publish(request.user),
        "may_choose": bool(permissions.choosable_units(request.user)),
    }
    return render(request, "cases/pathway/list.html", context)


@staff_required
@require_GET
def version_detail(request: HttpRequest, key: str, number: int) -> HttpResponse:
    version = _version(key, number)
    context = {
        "version": version,
        "definition": version.definition,
        "spec": version.parsed,
        "phases": pages.readable(version.parsed),
        "is_newest": pages.newest_number(key) == number,
        "may_publish": permissions.may_publish(request.user),
    }
    return render(request, "cases/pathway/version.html", context)


@staff_required
@require_GET
def version_json(request: HttpRequest, key: str, number: int) -> HttpResponse:
    version = _version(key, number)
    response = HttpResponse(
        pages.spec_text(version), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{key}-v{number}.json"'
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def new_version(request: HttpRequest, key: str) -> HttpResponse:
    try:
        permissions.require_may_publish(request.user)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    newest = _version(key)
    form = NewVersionForm(
        request.POST or None,
        request.FILES or None,
        initial={"spec": pages.spec_text(newest), "based_on": newest.number},
    )
    problems: list[str] = []
    preview = None
    checked = False
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["spec"]
        if form.cleaned_data.get("spec_file"):
            # The page shows the uploaded text, so the next check or publish uses it.
            data = request.POST.copy()
            data["spec"] = text
            form = NewVersionForm(data)
            form.is_valid()
        try:
            spec = services.read_spec(text)
        except ValidationError as exc:
            problems = exc.messages
        else:
            problems = services.problems_of(spec)
            if not problems and request.POST.get("action") == "publish":
                try:
                    version = services.publish_version(
                        key,
                        spec,
                        form.cleaned_data["note"],
                        actor=request.user,
                        based_on=form.cleaned_data["based_on"],
                    )
                except PermissionDenied as exc:
                    return _forbidden(request, exc)
                except ValidationError as exc:
                    problems = exc.messages
                else:
                    messages.success(
                        request,
                        _(
                            "Version %(number)s is published. New cases open on it; running "
                            "cases keep the version they were opened on."
                        )
                        % {"number": version.number},
                    )
                    return redirect("pathways:version", key=key, number=version.number)
            if not problems:
                preview = pages.readable(parse_spec(spec))
        checked = True
    context = {
        "definition": newest.definition,
        "newest": newest,
        "form": form,
        "checked": checked,
        "problems": problems,
        "preview": preview,
    }
    failed = request.method == "POST" and (problems or form.errors)
    return render(request, "cases/pathway/new_version.html", context, status=400 if failed else 200)


@staff_required
@require_http_methods(["GET", "POST"])
def choose(request: HttpRequest) -> HttpResponse:
    units = permissions.choosable_units(request.user)
    municipalities = permissions.choosable_municipalities(request.user)
    if not units and not municipalities:
        return _forbidden(
            request,
            PermissionDenied(
                _(
                    "Only a unit's administrator or leader, or an instance administrator, can "
                    "choose a pathway. Ask your unit's leader."
                )
            ),
        )
    form = ChooseForm(
        request.POST or None,
        municipalities=municipalities,
        units=units,
        definitions=pages.definition_choices(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.choose(form.cleaned_data["pathway"], actor=request.user, **form.place_object())
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _(
                    "Saved. New cases there open on the newest version of the pathway; "
                    "running cases keep theirs."
                ),
            )
            return redirect("pathways:choose")
    context = {"form": form, "current": pages.choices_for(request.user)}
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "cases/pathway/choose.html", context, status=status)
