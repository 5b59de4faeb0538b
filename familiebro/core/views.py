from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from . import services
from .decorators import staff_required
from .forms import IdentityLookupForm
from .models import Membership, Organisation


def front_page(request):
    return render(request, "core/front_page.html")


@staff_required
def staff_home(request):
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("unit__organisation")
        .order_by("unit__organisation__name", "unit__name", "role")
    )
    is_leader = any(m.role == Membership.Role.LEADER for m in memberships)
    return render(
        request, "core/staff_home.html", {"memberships": memberships, "is_leader": is_leader}
    )


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


def benchmark_floor(request, pk: int):
    """The framework floor for benchmarks: one indexed primary-key query, no template."""
    name = Organisation.objects.filter(pk=pk).values_list("name", flat=True).first()
    return HttpResponse(name or "", content_type="text/plain")
