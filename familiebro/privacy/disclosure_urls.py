"""Disclosure requests: /ansatt/utleveringer/ and a person's "ask another service"."""

from django.urls import path

from . import disclosure_views

urlpatterns = [
    path("ansatt/utleveringer/", disclosure_views.overview, name="disclosure-list"),
    path(
        "ansatt/personer/<int:person_id>/be-om-opplysninger/",
        disclosure_views.new_request,
        name="disclosure-new",
    ),
    path(
        "ansatt/utleveringer/sendt/<int:pk>/",
        disclosure_views.sent,
        name="disclosure-sent",
    ),
    path(
        "ansatt/utleveringer/mottatt/<int:pk>/",
        disclosure_views.received,
        name="disclosure-received",
    ),
]
