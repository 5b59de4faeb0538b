"""The administration area's pages: thin views over the part's reads and actions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from familiebro.core.decorators import staff_required

from . import reads


@staff_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "administration/home.html",
        {"home": reads.administration_home(request.user)},
    )
