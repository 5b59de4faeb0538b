"""Case pages: /ansatt/saker/… Thin views over familiebro.cases.case_services.

Cases are read through the access policy only (the services use policy.visible and
get_or_404), so another organisation's case is a 404 unless a consent opens it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from familiebro.core.decorators import staff_required

from . import case_services


@never_cache
@staff_required
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/case/mine.html", {"rows": case_services.my_cases(request.user)})


@never_cache
@staff_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = case_services.case_page(request.user, pk)
    return render(request, "cases/case/detail.html", {"page": page, "case": page.case})
