"""Break-glass access and its review: /ansatt/unntakstilgang/, /ansatt/tilgangsvarsler/"""

from django.urls import path

from . import exceptional_views

urlpatterns = [
    path("ansatt/unntakstilgang/", exceptional_views.lookup, name="exceptional-access-lookup"),
    path(
        "ansatt/unntakstilgang/apne/",
        exceptional_views.open_access,
        name="exceptional-access-open",
    ),
    path(
        "ansatt/tilgangsvarsler/",
        exceptional_views.leader_report,
        name="exceptional-access-report",
    ),
    path(
        "ansatt/tilgangsvarsler/<int:access_id>/gjennomgatt/",
        exceptional_views.review,
        name="exceptional-access-review",
    ),
    path(
        "ansatt/tilgangsvarsler/<int:access_id>/skjul/",
        exceptional_views.hiding,
        name="exceptional-access-hiding",
    ),
    path(
        "ansatt/tilgangsvarsler/<int:access_id>/vis/",
        exceptional_views.show_to_family,
        name="exceptional-access-show",
    ),
]
