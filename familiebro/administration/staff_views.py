"""The staff pages of the administration area, and the page an invited person opens: thin
views over staff_reads and staff_actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.accounts import services as accounts
from familiebro.core.decorators import staff_required

from . import staff_actions, staff_reads
from .staff_forms import AcceptInvitationForm, InviteForm, MoveForm, RoleForm, SearchForm


@staff_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    return render(
        request,
        "administration/staff/list.html",
        {"staff": staff_reads.staff_list(request.user, query), "form": form},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    staff_reads.require_staff_administrator(request.user)
    form = InviteForm(request.POST or None, admin=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff_actions.invite_staff(
                request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                professional_title=data["professional_title"],
                unit=data["unit"],
                role=data["role"],
                authorisation=form.authorisation(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        except staff_actions.InvitationNotSent:
            form.add_error(None, _not_sent_message())
        else:
            messages.success(
                request,
                _("The invitation is sent to %(email)s. The link works for %(days)d days.")
                % {
                    "email": data["email"].strip(),
                    "days": staff_actions.Invitation.lifetime().days,
                },
            )
            return redirect("administration:staff")
    return render(
        request,
        "administration/staff/invite.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@staff_required
@require_GET
def staff_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    return _render_detail(request, user_id)


@staff_required
@require_POST
def add_role(request: HttpRequest, user_id: int) -> HttpResponse:
    staff = staff_reads.staff_account(request.user, user_id)
    form = RoleForm(request.POST, admin=request.user, auto_id="role_%s")
    if form.is_valid():
        try:
            staff_actions.add_role(
                request.user,
                staff,
                unit=form.cleaned_data["unit"],
                role=form.cleaned_data["role"],
                authorisation=form.authorisation(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The role is added."))
            return redirect("administration:staff-member", user_id)
    return _render_detail(request, user_id, role_form=form)


@staff_required
@require_POST
def remove_role(request: HttpRequest, user_id: int, membership_id: int) -> HttpResponse:
    membership = staff_reads.membership(request.user, membership_id, user_id)
    try:
        staff_actions.remove_role(request.user, membership)
    except ValidationError as error:
        return _render_detail(request, user_id, account_errors=error.messages)
    messages.success(request, _("The role is removed."))
    return redirect("administration:staff-member", user_id)


@staff_required
@require_POST
def move(request: HttpRequest, user_id: int) -> HttpResponse:
    member = staff_reads.staff_member(request.user, user_id)
    form = MoveForm(
        request.POST, admin=request.user, memberships=member.memberships, auto_id="move_%s"
    )
    if form.is_valid():
        membership = staff_reads.membership(
            request.user, int(form.cleaned_data["membership"]), user_id
        )
        try:
            staff_actions.move_staff(
                request.user,
                membership,
                to_unit=form.cleaned_data["unit"],
                authorisation=form.authorisation(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The staff member is moved."))
            return redirect("administration:staff-member", user_id)
    return _render_detail(request, user_id, move_form=form)


@staff_required
@require_POST
def deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    staff = staff_reads.staff_account(request.user, user_id)
    try:
        staff_actions.deactivate_staff(request.user, staff)
    except ValidationError as error:
        return _render_detail(request, user_id, account_errors=error.messages)
    messages.success(
        request, _("The account is deactivated. It cannot log in, and its sessions have ended.")
    )
    return redirect("administration:staff-member", user_id)


@staff_required
@require_POST
def reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    staff = staff_reads.staff_account(request.user, user_id)
    try:
        staff_actions.reactivate_staff(request.user, staff)
    except ValidationError as error:
        return _render_detail(request, user_id, account_errors=error.messages)
    messages.success(request, _("The account is active again and can log in."))
    return redirect("administration:staff-member", user_id)


@staff_required
@require_POST
def resend_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = staff_reads.invitation(request.user, invitation_id)
    try:
        staff_actions.resend_invitation(request.user, invitation)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    except staff_actions.InvitationNotSent:
        messages.error(request, _not_sent_message())
    else:
        messages.success(
            request,
            _("The invitation is sent again with a new link. The old link no longer works."),
        )
    return redirect("administration:staff")


@staff_required
@require_POST
def withdraw_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = staff_reads.invitation(request.user, invitation_id)
    try:
        staff_actions.withdraw_invitation(request.user, invitation)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The invitation is withdrawn. Its link no longer works."))
    return redirect("administration:staff")


@sensitive_post_parameters("password", "password_again")
@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = staff_actions.invitation_for_token(token)
    except staff_actions.InvitationUnusable as unusable:
        return _unusable(request, unusable)
    form = AcceptInvitationForm(request.POST or None, initial={"username": invitation.email})
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        password = form.cleaned_data["password"]
        try:
            user = staff_actions.accept_invitation(
                token, {"username": username, "password": password}
            )
        except staff_actions.InvitationUnusable as unusable:
            return _unusable(request, unusable)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            # The real login, so the account goes through the second factor's set-up before
            # it reaches any page.
            # With the username as saved (normalised), not as typed.
            step = accounts.authenticate_password(request, user.get_username(), password)
            if step is accounts.Step.DONE:
                return redirect("staff-home")
            return redirect("login-second-factor-setup")
    return render(
        request,
        "administration/staff/accept.html",
        {"form": form, "invitation": invitation},
        status=400 if form.errors else 200,
    )


# --- Internals ---------------------------------------------------------------------------------


def _render_detail(
    request: HttpRequest,
    user_id: int,
    *,
    role_form: RoleForm | None = None,
    move_form: MoveForm | None = None,
    account_errors: list[str] | None = None,
) -> HttpResponse:
    member = staff_reads.staff_member(request.user, user_id)
    failed = bool(
        account_errors or (role_form and role_form.errors) or (move_form and move_form.errors)
    )
    return render(
        request,
        "administration/staff/detail.html",
        {
            "member": member,
            "role_form": role_form or RoleForm(admin=request.user, auto_id="role_%s"),
            "move_form": move_form
            or MoveForm(admin=request.user, memberships=member.memberships, auto_id="move_%s"),
            "account_errors": account_errors or [],
        },
        status=400 if failed else 200,
    )


def _add_errors(form: Form, error: ValidationError) -> None:
    """Each message beside its field where the form has it, above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        target = field if field in form.fields else None
        for item in field_errors:
            form.add_error(target, item.messages)


def _not_sent_message() -> str:
    return _(
        "The invitation could not be sent: the mail server did not answer. Nothing is saved. "
        "Try again in a while, or tell the instance's operator if it keeps failing."
    )


def _unusable(request: HttpRequest, unusable: staff_actions.InvitationUnusable) -> HttpResponse:
    context: dict[str, Any] = {"reason": unusable.reason, "invitation": unusable.invitation}
    if unusable.invitation is not None:
        inviter = unusable.invitation.invited_by
        context["inviter"] = inviter.display_name() if inviter else ""
        context["organisation"] = unusable.invitation.unit.organisation.name
    context["login_url"] = reverse("login")
    return render(request, "administration/staff/invitation_unusable.html", context, status=410)
