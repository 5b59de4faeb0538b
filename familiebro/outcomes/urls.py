"""Questionnaires and session scales: /ansatt/skjema/… (editors), /ansatt/saker/<id>/skalaer/…
(a case's scales) and /skjema/<token>/ (the family's single-use link)."""

from django.urls import path

from . import editor_views, evaluation_views, views

app_name = "outcomes"

case = "ansatt/saker/<int:pk>/skalaer/"
instrument = "ansatt/skjema/<slug:instrument>/"
urlpatterns = [
    path(case, views.scales, name="scales"),
    path(case + "utfyllere/", views.add_rater, name="add-rater"),
    path(case + "fyll-ut/", views.fill, name="fill"),
    path(case + "lenke/", views.make_link, name="make-link"),
    path("skjema/<str:token>/", views.answer, name="answer"),
    path("ansatt/evalueringer/", evaluation_views.evaluations, name="evaluations"),
    path("ansatt/evalueringer/lenke/", evaluation_views.make_link, name="evaluation-link"),
    path("ansatt/evalueringer/holdt-tilbake/", evaluation_views.held, name="held"),
    path("evaluering/<str:token>/", evaluation_views.evaluate, name="evaluate"),
    path("ansatt/skjema/", editor_views.instruments, name="instruments"),
    path(instrument, editor_views.instrument, name="instrument"),
    path(instrument + "ny-versjon/", editor_views.new_draft, name="new-draft"),
    path(instrument + "<int:version>/", editor_views.version, name="version"),
    path(instrument + "<int:version>/publiser/", editor_views.publish, name="publish"),
]
