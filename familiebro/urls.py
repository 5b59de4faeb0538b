from django.conf import settings
from django.urls import include, path
from django.views.i18n import set_language

from familiebro.api import api
from familiebro.catalogue.media_views import contact_photo
from familiebro.core import views
from familiebro.core.health import healthz

urlpatterns = [
    path("", views.front_page, name="front-page"),
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
    path("media/contacts/<str:path>", contact_photo, name="contact-photo"),
    path("", include("familiebro.core.urls")),
    path("", include("familiebro.persons.urls")),
    path("", include("familiebro.accounts.urls")),
    path("", include("familiebro.privacy.urls")),
    path("", include("familiebro.catalogue.public_urls")),
    path("", include("familiebro.catalogue.editor_urls")),
    path("", include("familiebro.cases.help_requests.public_urls")),
    path("", include("familiebro.cases.help_requests.inbox_urls")),
    path("", include("familiebro.cases.case_urls")),
    path("", include("familiebro.cases.calendar.urls")),
    path("", include("familiebro.cases.pathways.urls")),
    path("", include("familiebro.groups.urls")),
    path("", include("familiebro.referrals.urls")),
    path("", include("familiebro.outcomes.urls")),
    path("", include("familiebro.portal.urls")),
    path("", include("familiebro.reports.urls")),
    path("", include("familiebro.administration.urls")),
]

if settings.BENCHMARK_VIEWS:
    urlpatterns.append(path("_bench/floor/<int:pk>", views.benchmark_floor))

# A refusal says why (the reason PermissionDenied carries) and where to go back to.
handler403 = "familiebro.core.responses.permission_denied"
