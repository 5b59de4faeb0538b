"""The staff page of a person's access log: /ansatt/personer/<person_id>/tilgangslogg/"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from familiebro.core.decorators import staff_required
from familiebro.core.models import Person

from . import access_log, policy

PAGE_SIZE = 50


@staff_required
@require_GET
def person_access_log(request: HttpRequest, person_id: int) -> HttpResponse:
    # Reading the log is a read of the person's data for its own purpose, and audited as such.
    person = policy.get_or_404(request.user, Person, person_id, policy.Purpose.ACCESS_LOG)
    entries = access_log.access_log_for(request.user, person)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("side"))
    return render(request, "privacy/access_log/person.html", {"person": person, "page": page})
