"""Pages of courses and appointment books: each sub-package's pages are included here."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("familiebro.groups.courses.urls")),
    path("", include("familiebro.groups.appointments.urls")),
]
