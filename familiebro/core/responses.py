"""Responses the apps share."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def forbidden(request: HttpRequest, reason: str, back_url: str, back_label: str) -> HttpResponse:
    """403 that says why, and where to go back to."""
    context = {"reason": reason, "back_url": back_url, "back_label": back_label}
    return render(request, "forbidden.html", context, status=403)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Every refusal a view does not render itself (handler403): the reason the policy or the
    service gave, and the way back, instead of a bare "403 Forbidden"."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    reason = str(exception or "") or _("You do not have access to this.")
    if request.path.startswith("/ansatt/"):
        return forbidden(request, reason, reverse("staff-home"), _("Back to my page"))
    return forbidden(request, reason, reverse("front-page"), _("Back to the front page"))
