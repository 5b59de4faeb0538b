"""Accepting an invitation with the organisation's own login: the page that starts it
(/konto/invitasjon/<token>/organisasjon/) and the end of the provider's answer, which the
shared sign-on callback hands here. The work is in invitation_sign_on.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import invitation_sign_on, sign_on, staff_actions
from .invitation_sign_on_forms import InvitationSignOnForm


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = staff_actions.invitation_for_token(token)
    except staff_actions.InvitationUnusable as unusable:
        return _unusable(request, unusable)
    organisation_sign_on = invitation_sign_on.sign_on_for(invitation)
    if organisation_sign_on is None:
        return redirect("administration:accept-invitation", token)
    form = InvitationSignOnForm(request.POST or None, initial={"username": invitation.email})
    if request.method == "POST" and form.is_valid():
        try:
            url = invitation_sign_on.start(
                request,
                token,
                username=form.cleaned_data["username"],
                redirect_uri=request.build_absolute_uri(reverse("administration:sign-on-callback")),
            )
        except staff_actions.InvitationUnusable as unusable:
            return _unusable(request, unusable)
        except sign_on.SignOnFailed as failure:
            form.add_error(None, str(failure))
        else:
            return redirect(url)
    response = render(
        request,
        "administration/staff/accept_sign_on.html",
        {"form": form, "invitation": invitation, "sign_on": organisation_sign_on},
        status=400 if form.errors else 200,
    )
    # The provider, on this page only: its form sends the browser there.
    response._csp_update = {  # type: ignore[attr-defined]
        "form-action": sign_on.form_action_origins([organisation_sign_on])
    }
    return response


def finish(
    request: HttpRequest, verified: sign_on.Answer, step_url_names: Mapping[Any, str]
) -> HttpResponse:
    """The provider vouched for the invited person: make the account, link it, log in and go
    on to the next step of the login (`step_url_names`, the shared callback's)."""
    token = invitation_sign_on.pending_token(request)
    try:
        invitation_sign_on.accept(request, verified)
    except staff_actions.InvitationUnusable as unusable:
        return _unusable(request, unusable)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("administration:accept-invitation-sign-on", token)
    except sign_on.SignOnFailed as failure:
        messages.error(request, str(failure))
        if token:
            return redirect("administration:accept-invitation", token)
        return redirect("login")
    try:
        step = sign_on.log_in(request, verified)
    except sign_on.SignOnFailed as failure:
        messages.error(request, str(failure))
        return redirect("login")
    return redirect(step_url_names[step])


def _unusable(request: HttpRequest, unusable: staff_actions.InvitationUnusable) -> HttpResponse:
    """The same page as a used, withdrawn or expired link opened the usual way."""
    context: dict[str, Any] = {"reason": unusable.reason, "invitation": unusable.invitation}
    if unusable.invitation is not None:
        inviter = unusable.invitation.invited_by
        context["inviter"] = inviter.display_name() if inviter else ""
        context["organisation"] = unusable.invitation.unit.organisation.name
    context["login_url"] = reverse("login")
    return render(request, "administration/staff/invitation_unusable.html", context, status=410)
