from django.http import HttpResponse
from django.shortcuts import render

from . import start_page
from .decorators import staff_required
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
    return render(
        request,
        "core/staff_home.html",
        {
            "memberships": memberships,
            "tiles": start_page.tiles(request),
            "notices": start_page.notices(request),
        },
    )


def benchmark_floor(request, pk: int):
    """The framework floor for benchmarks: one indexed primary-key query, no template."""
    name = Organisation.objects.filter(pk=pk).values_list("name", flat=True).first()
    return HttpResponse(name or "", content_type="text/plain")
