"""The instance health page for instance administrators, and the same figures as JSON for a
monitoring system (authenticated by FAMILIEBRO_HEALTH_TOKEN, or a logged-in instance
administrator). /healthz, for the load balancer, stays in familiebro.core.health."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from familiebro.core.decorators import second_factor_passed, staff_required

from . import permissions
from .health import instance_health


@staff_required
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    permissions.require_see_instance_health(request.user)
    return render(request, "administration/health.html", {"health": instance_health()})


def _token_matches(request: HttpRequest) -> bool:
    token = settings.HEALTH_TOKEN
    given = request.headers.get("Authorization", "")
    if not token or not given.startswith("Bearer "):
        return False
    return hmac.compare_digest(given.removeprefix("Bearer ").encode(), token.encode())


@never_cache
@require_GET
def health_json(request: HttpRequest) -> JsonResponse:
    """Always 200 once allowed in: `status` says green, amber or red. (Not 503 on red: the
    answer is a report the monitoring system reads, not the web process failing.)"""
    if not _token_matches(request):
        user = request.user
        if not user.is_authenticated or not second_factor_passed(request):
            return JsonResponse(
                {
                    "error": "Send the token of FAMILIEBRO_HEALTH_TOKEN in an 'Authorization: "
                    "Bearer' header, or log in as an instance administrator."
                },
                status=401,
            )
        if not permissions.may_see_instance_health(user):
            return JsonResponse(
                {"error": "Only the instance's administrators read the instance health."},
                status=403,
            )
    return JsonResponse(instance_health().as_json())
