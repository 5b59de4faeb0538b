"""Pathway definitions, their versions and where they are chosen: /ansatt/forlop/…"""

from django.urls import path

from . import views

app_name = "pathways"

version = "ansatt/forlop/<slug:key>/v<int:number>/"
urlpatterns = [
    path("ansatt/forlop/", views.pathway_list, name="list"),
    path("ansatt/forlop/valg/", views.choose, name="choose"),
    path("ansatt/forlop/<slug:key>/ny-versjon/", views.new_version, name="new-version"),
    path(version, views.version_detail, name="version"),
    path(version + "spesifikasjon.json", views.version_json, name="version-json"),
]
