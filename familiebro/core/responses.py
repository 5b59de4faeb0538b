"""Responses the apps share."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def forbidden(request: HttpRequest, reason: str, back_url: str, back_label: str) -> HttpResponse:
    """403 that says why, and where to go back to."""
    context = {"reason": reason, "back_url": back_url, "back_label": back_label}
    return render(request, "forbidden.html", context, status=403)
