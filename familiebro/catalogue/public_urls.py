"""Public, Norwegian addresses of the finder: no login."""

from django.urls import path

from . import public_views

app_name = "finder"

urlpatterns = [
    path("finn-hjelp/", public_views.finder_page, name="finder"),
    path("finn-hjelp/veiviser/", public_views.guide, name="guide"),
    path("finn-hjelp/program-kart/", public_views.programme_map, name="programme-map"),
    path("finn-hjelp/program/", public_views.programme_list, name="programmes"),
    path("finn-hjelp/program/<slug:slug>/", public_views.programme_detail, name="programme"),
    path("tilbud/<uuid:offer_id>/", public_views.offer_detail, name="offer"),
    path("tilbud/<uuid:offer_id>/kalender.ics", public_views.offer_calendar, name="offer-calendar"),
]
