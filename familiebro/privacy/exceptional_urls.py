"""Exceptional access and the leaders' report: /ansatt/unntakstilgang/, /ansatt/tilgangsvarsler/"""

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
]
