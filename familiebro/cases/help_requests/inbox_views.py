"""The unit's inbox of requests for help: /ansatt/henvendelser/…

Requests are found through the access policy only (policy.get_or_404 here, inbox_for in
help_requests.pages), so another unit's request is a 404 on every URL and never appears in a
list. Every change is a POST with a CSRF token, and the services audit it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.core.decorators import staff_required
from familiebro.persons import views as person_views
from familiebro.persons.forms import FamilyForm
from familiebro.privacy import policy
from familiebro.privacy.consultation import units_of
from familiebro.privacy.policy import Purpose

from .. import case_services
from ..models import HelpRequest
from . import pages, services
from .inbox_forms import CloseForm, ConvertForm, RegisterHelpRequestForm

STATUS_BY_SLUG = pages.STATUS_SLUGS
SLUG_BY_STATUS = {status: slug for slug, status in STATUS_BY_SLUG.items()}
OPEN_STATUSES = {HelpRequest.Status.NEW, HelpRequest.Status.CONTACTED}


def _get(request: HttpRequest, pk: int) -> HelpRequest:
    return policy.get_or_404(request.user, HelpRequest, pk, Purpose.CASEWORK)


@never_cache
@staff_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("status") or "ny"
    if slug not in STATUS_BY_SLUG:
        raise Http404(_("There is no such list of requests."))
    unit_id = request.GET.get("enhet") or None
    page = pages.inbox_page(
        request.user,
        unit_id=unit_id,
        status=STATUS_BY_SLUG[slug],
        page_number=request.GET.get("side"),
        query=request.GET.get("q", ""),
    )
    tabs = [
        {
            "slug": tab_slug,
            "label": HelpRequest.Status(status).label,
            "count": page.counts[status],
            "current": status == page.status,
        }
        for tab_slug, status in STATUS_BY_SLUG.items()
    ]
    return render(
        request,
        "cases/inbox/list.html",
        {
            "inbox": page,
            "tabs": tabs,
            "slug": slug,
            # The unit and the search, kept when the user changes status or page.
            "filter_query": urlencode(
                [
                    (k, v)
                    for k, v in (("enhet", page.unit.pk if page.unit else ""), ("q", page.query))
                    if v
                ]
            ),
            "now": timezone.now(),
        },
    )


def _detail(
    request: HttpRequest,
    help_request: HelpRequest,
    *,
    close_form: CloseForm | None = None,
    convert_form: ConvertForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "cases/inbox/detail.html",
        {
            "help_request": help_request,
            "overdue": pages.is_overdue(help_request),
            "contacted_late": pages.was_contacted_late(help_request),
            "child_age": services.child_age_label(help_request.child_age_months),
            "is_open": help_request.status in OPEN_STATUSES,
            "close_form": close_form or CloseForm(),
            "convert_form": convert_form or ConvertForm(),
            "list_slug": SLUG_BY_STATUS[help_request.status],
            "case": case_services.case_of_request(request.user, help_request)
            if help_request.status == HelpRequest.Status.CONVERTED
            else None,
        },
        status=status,
    )


def _requester_as_parent(help_request: HelpRequest) -> dict[str, str]:
    """The person who asked, as the family form's first parent, when they said they are a
    parent; nothing when they asked as a young person or a professional."""
    if help_request.requester_role != HelpRequest.RequesterRole.PARENT:
        return {}
    *given, family = help_request.requester_name.split() or [""]
    return {
        "given_name": " ".join(given),
        "family_name": family,
        "phone": help_request.phone,
        "email": help_request.email,
    }


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def register_family(request: HttpRequest, pk: int) -> HttpResponse:
    """Register the family of a request for help, then go on to open its case with the child
    chosen. The person who asked is the first parent when they said they are one."""
    help_request = _get(request, pk)
    organisations = person_views.staff_organisations(request.user)
    family_form = FamilyForm(
        request.POST or None,
        organisations=organisations,
        parent_initial=_requester_as_parent(help_request),
    )
    if request.method == "POST":
        registered = person_views.register_family_from(request, family_form)
        if registered is not None:
            person_views.registered_message(request, registered)
            query = urlencode({"henvendelse": help_request.pk, "barn": registered.child.pk})
            return redirect(f"{reverse('cases:open')}?{query}")
    return render(
        request,
        "core/person/family.html",
        {
            "family": family_form,
            "help_request": help_request,
            "back_url": reverse("inbox:detail", args=[help_request.pk]),
            "back_label": _("Back to the request"),
        },
        status=400 if family_form.is_bound and family_form.errors else 200,
    )


@never_cache
@staff_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(request, pk))


def _after_change(request: HttpRequest, help_request: HelpRequest, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("inbox:detail", pk=help_request.pk)


def _refused(request: HttpRequest, help_request: HelpRequest, exc: Exception) -> HttpResponse:
    """A change that cannot be made (already closed, no longer a member): say why."""
    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)
    return redirect("inbox:detail", pk=help_request.pk)


@staff_required
@require_POST
def mark_contacted(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _get(request, pk)
    try:
        services.mark_contacted(request.user, help_request)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, help_request, exc)
    return _after_change(
        request,
        help_request,
        _("Request %(reference)s is marked as contacted.") % {"reference": help_request},
    )


@staff_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _get(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_help_request(
                request.user,
                help_request,
                form.cleaned_data["reason"],
                form.cleaned_data["note"],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _refused(request, help_request, exc)
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as exc:
            return _refused(request, help_request, exc)
        else:
            return _after_change(
                request,
                help_request,
                _("Request %(reference)s is closed.") % {"reference": help_request},
            )
    return _detail(request, help_request, close_form=form, status=400)


@staff_required
@require_POST
def convert(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _get(request, pk)
    form = ConvertForm(request.POST)
    if form.is_valid():
        try:
            services.convert_to_case(request.user, help_request, form.cleaned_data["note"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _refused(request, help_request, exc)
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as exc:
            return _refused(request, help_request, exc)
        else:
            return _after_change(
                request,
                help_request,
                _("Request %(reference)s is marked as converted to a case.")
                % {"reference": help_request},
            )
    return _detail(request, help_request, convert_form=form, status=400)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    units = list(units_of(request.user).order_by("name"))
    if not units:
        raise PermissionDenied(_("You have no role in any unit. Ask your unit's administrator."))
    form = RegisterHelpRequestForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            help_request = services.register_help_request(
                request.user,
                unit=form.chosen_unit(),
                channel=form.cleaned_data["channel"],
                details=form.details,  # type: ignore[arg-type]
                received_at=form.received_at(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("Request %(reference)s is registered in the unit's inbox.")
                % {"reference": help_request.reference},
            )
            return redirect(reverse("inbox:detail", args=[help_request.pk]))
    return render(
        request,
        "cases/inbox/register.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
