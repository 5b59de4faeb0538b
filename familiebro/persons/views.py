"""Staff pages for persons: the list, one person, registration, contact details and the
lookup by identity number.

Every person is found through the access policy (in the services), so a person the user may
not see is a 404 on every URL here and never appears in the list.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.core.decorators import staff_required
from familiebro.core.forms import IdentityLookupForm
from familiebro.core.models import AddressProtection, Organisation, ServiceUnit, User
from familiebro.core.responses import forbidden
from familiebro.privacy import policy

from . import family, services
from .forms import (
    END_REASONS,
    AddressProtectionForm,
    ContactDetailsForm,
    EndAssignmentForm,
    FamilyForm,
    LinkGuardianForm,
    ParentInformationForm,
    PersonForm,
    PersonSearchForm,
    UnlinkGuardianForm,
)

# The data export is built beside the person pages (privacy.export_urls); should its URL
# name change, the page still links to its documented path.
EXPORT_URL_NAME = "person-export-json"
EXPORT_PATH = "/ansatt/personer/{person_id}/innsyn/eksport.json"


def _export_url(person_id: int) -> str:
    try:
        return reverse(EXPORT_URL_NAME, kwargs={"pk": person_id})
    except NoReverseMatch:
        return EXPORT_PATH.format(person_id=person_id)


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return forbidden(request, str(exc), reverse("person-list"), _("Back to the persons"))


@staff_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    units = ServiceUnit.objects.filter(memberships__user=cast(User, request.user)).order_by("name")
    form = PersonSearchForm(request.GET, units=units.distinct())
    if form.holds_identity_number():
        # Not searched for: the number must not be sent in an address at all. The lookup page
        # takes it in a posted form.
        messages.error(
            request,
            _(
                "Nothing was searched for. Search for an identity number here, on the page "
                "made for it, and not in the name search: what you type there becomes part of "
                "the page address, which browsers and servers keep."
            ),
        )
        return redirect("person-lookup")
    purpose = form.purpose()
    page = services.person_list_page(
        request.user,
        query=form.query(),
        purpose=purpose,
        page_number=request.GET.get("side"),
        unit_id=form.unit_id(),
        kind=form.kind(),
    )
    keep = {
        k: v
        for k, v in (
            ("q", form.query()),
            ("formål", purpose),
            ("enhet", form.unit_id()),
            ("type", form.kind()),
        )
        if v
    }
    return render(
        request,
        "core/person/list.html",
        {
            "form": form,
            "page": page,
            "purpose": purpose,
            "purpose_query": urlencode({"formål": purpose}),
            "page_query": urlencode(keep),
        },
    )


@staff_required
@require_GET
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    purpose = PersonSearchForm(request.GET).purpose()
    detail = services.person_detail(request.user, person_id, purpose)
    return render(
        request,
        "core/person/detail.html",
        {
            "detail": detail,
            "person": detail.person,
            "purpose": purpose,
            "is_casework": purpose == policy.Purpose.CASEWORK,
            "purpose_query": urlencode({"formål": purpose}),
            "consents_url": reverse("consent-list", kwargs={"person_id": person_id}),
            "export_url": _export_url(person_id),
            "end_reasons": END_REASONS,
            "unlink_reasons": family.UnlinkReason.choices,
            "protection_choices": AddressProtection.choices,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def parent_information(request: HttpRequest, person_id: int) -> HttpResponse:
    """Record a decision on a request for information about a child from a parent without
    parental responsibility (barneloven § 47)."""
    try:
        child = services.person_for_change(request.user, person_id)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    choices = services.parent_information_choices(request.user, child)
    form = ParentInformationForm(request.POST or None, parents=choices.parents, units=choices.units)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.record_parent_information_decision(
                request.user,
                child.pk,
                parent_id=data["parent"],
                unit_id=data["unit"],
                asked=data["asked"],
                outcome=data["outcome"],
                given=data["given"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("person-detail", person_id=child.pk)
    return render(
        request,
        "core/person/parent_information.html",
        {"form": form, "person": child, "choices": choices},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_required
@require_POST
def address_protection(request: HttpRequest, person_id: int) -> HttpResponse:
    form = AddressProtectionForm(request.POST)
    level = form.cleaned_data["address_protection"] if form.is_valid() else "?"
    try:
        person = services.set_address_protection(request.user, person_id, level)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("person-detail", person_id=person_id)
    messages.success(
        request,
        _("The address protection is saved: %(level)s.")
        % {"level": person.get_address_protection_display()},
    )
    return redirect("person-detail", person_id=person_id)


@staff_required
@require_POST
def assignment_end(request: HttpRequest, person_id: int, assignment_id: int) -> HttpResponse:
    """End a need to know from the person page. Whoever loses sight of the person by it is
    taken to their list of persons, since the person's page is closed to them from now on."""
    form = EndAssignmentForm(request.POST)
    # The service refuses a missing or unknown reason, after the lookup: a foreign id is a 404.
    reason = form.reason() if form.is_valid() else ""
    try:
        ended = services.end_need_to_know(request.user, person_id, assignment_id, reason)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("person-detail", person_id=person_id)
    if ended.still_visible:
        messages.success(request, _("The need to know has ended."))
        return redirect("person-detail", person_id=person_id)
    messages.success(
        request,
        _(
            "Your need to know of %(name)s has ended, and the person is no longer among your "
            "persons. If you are to work with them again, ask a colleague who does to add you."
        )
        % {"name": ended.person},
    )
    return redirect("person-list")


@staff_required
@require_http_methods(["GET", "POST"])
def person_register(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.filter(pk__in=policy.organisation_ids_of(request.user))
    if not organisations:
        return _forbidden(
            request,
            PermissionDenied(_("You have no role in any unit. Ask your unit's administrator.")),
        )
    form = PersonForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.register_person(
                cast(User, request.user),  # staff_required let only logged-in staff through
                data["organisation"],
                kind=data["kind"],
                given_name=data["given_name"],
                family_name=data["family_name"],
                birth_date=data["birth_date"],
                national_id=data["national_id"] or None,
                phone=data["phone"],
                email=data["email"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": person})
            return redirect("person-detail", person_id=person.pk)
    return render(
        request,
        "core/person/register.html",
        # A duplicate is refused by the organisation's unique constraint (a non-field error)
        # or by the service's own check on the number; either way, offer the search.
        {"form": form, "duplicate": form.has_error("national_id") or form.non_field_errors()},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def person_change(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        person = services.person_for_change(request.user, person_id)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    form = ContactDetailsForm(
        request.POST or None, initial={"phone": person.phone, "email": person.email}
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_contact_details(
                request.user, person, form.cleaned_data["phone"], form.cleaned_data["email"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("The contact details are saved.") if changed else _("Nothing was changed."),
            )
            return redirect("person-detail", person_id=person.pk)
    return render(
        request,
        "core/person/change.html",
        {"form": form, "person": person},
        status=400 if form.is_bound and form.errors else 200,
    )


def _add_errors(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@staff_required
@require_http_methods(["GET", "POST"])
def person_lookup(request):
    """Find a person by identity number. POST only, so the number never appears in a URL."""
    form = IdentityLookupForm(request.POST or None)
    searched, person = False, None
    if request.method == "POST" and form.is_valid():
        try:
            person = services.find_person_by_identity_number(
                request.user, form.cleaned_data["national_id"]
            )
            searched = True
        except ValidationError as exc:
            form.add_error("national_id", exc)
    return render(
        request,
        "core/person_lookup.html",
        {"form": form, "searched": searched, "person": person},
        status=400 if request.method == "POST" and form.errors else 200,
    )


# Where the family registration returns to: "sak" is the open-a-case page, with the child
# chosen (cases.case_views.open_case reads ?barn=).
NEXT_OPEN_CASE = "sak"


def staff_organisations(user: Any) -> Any:
    return Organisation.objects.filter(pk__in=policy.organisation_ids_of(user))


def register_family_from(
    request: HttpRequest, family_form: FamilyForm
) -> family.RegisteredFamily | None:
    """Register the posted family, or put the service's errors on the form (None)."""
    if not family_form.is_valid():
        return None
    child = family_form.child.cleaned_data
    try:
        return family.register_family(
            cast(User, request.user),  # staff_required let only logged-in staff through
            child["organisation"],
            child_kind=child["kind"],
            child=family_form.child.details(),
            parents=[form.parent() for form in family_form.named_parents()],
        )
    except ValidationError as exc:
        family_form.add_service_errors(exc)
        return None


def registered_message(request: HttpRequest, registered: family.RegisteredFamily) -> None:
    messages.success(
        request,
        _("%(name)s is registered. Guardians linked: %(count)s.")
        % {"name": registered.child, "count": len(registered.relations)},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def family_register(request: HttpRequest) -> HttpResponse:
    """Register a child with the parents; with ?neste=sak, go on to open a case for them."""
    organisations = staff_organisations(request.user)
    if not organisations:
        return _forbidden(
            request,
            PermissionDenied(_("You have no role in any unit. Ask your unit's administrator.")),
        )
    next_step = (
        NEXT_OPEN_CASE if (request.POST or request.GET).get("neste") == NEXT_OPEN_CASE else ""
    )
    family_form = FamilyForm(request.POST or None, organisations=organisations)
    if request.method == "POST":
        registered = register_family_from(request, family_form)
        if registered is not None:
            registered_message(request, registered)
            if next_step == NEXT_OPEN_CASE:
                return redirect(
                    f"{reverse('cases:open')}?{urlencode({'barn': registered.child.pk})}"
                )
            return redirect("person-detail", person_id=registered.child.pk)
    back_url, back_label = (
        (reverse("cases:open"), _("Back to opening a case"))
        if next_step
        else (reverse("person-list"), _("All persons"))
    )
    return render(
        request,
        "core/person/family.html",
        {"family": family_form, "next": next_step, "back_url": back_url, "back_label": back_label},
        status=400 if family_form.is_bound and family_form.errors else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def guardian_link(request: HttpRequest, person_id: int) -> HttpResponse:
    """Link a guardian to a child: one already registered (by identity number) or a new one."""
    try:
        child = services.person_for_change(request.user, person_id)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    form = LinkGuardianForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            relation = family.link_guardian(cast(User, request.user), child.pk, form.parent())
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        else:
            messages.success(
                request,
                _("%(guardian)s is linked to %(child)s as a guardian.")
                % {"guardian": relation.guardian, "child": child},
            )
            return redirect("person-detail", person_id=child.pk)
    return render(
        request,
        "core/person/guardian_link.html",
        {
            "form": form,
            "person": child,
            # The error summary reads the same shape as the family form's.
            "family": {"errors": form.errors, "non_field_errors": [], "forms": [form]},
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_required
@require_POST
def guardian_unlink(request: HttpRequest, person_id: int, relation_id: int) -> HttpResponse:
    form = UnlinkGuardianForm(request.POST)
    try:
        relation = family.unlink_guardian(
            cast(User, request.user), person_id, relation_id, form.reason()
        )
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("person-detail", person_id=person_id)
    messages.success(
        request,
        _("%(guardian)s is no longer linked as a guardian.") % {"guardian": relation.guardian},
    )
    return redirect("person-detail", person_id=person_id)
