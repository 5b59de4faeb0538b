"""Administration pages: /ansatt/administrasjon/…"""

from django.urls import path

from . import organisation_views, views

app_name = "administration"

urlpatterns = [
    path("ansatt/administrasjon/", views.home, name="home"),
    path(
        "ansatt/administrasjon/organisasjoner/",
        organisation_views.organisations,
        name="organisations",
    ),
    path(
        "ansatt/administrasjon/organisasjoner/ny/",
        organisation_views.organisation_create,
        name="organisation-create",
    ),
    path(
        "ansatt/administrasjon/organisasjoner/<int:pk>/",
        organisation_views.organisation,
        name="organisation",
    ),
    path(
        "ansatt/administrasjon/organisasjoner/<int:pk>/endre/",
        organisation_views.organisation_change,
        name="organisation-change",
    ),
    path(
        "ansatt/administrasjon/organisasjoner/<int:pk>/administratorer/",
        organisation_views.administrator_appoint,
        name="administrator-appoint",
    ),
    path(
        "ansatt/administrasjon/organisasjoner/<int:pk>/administratorer/<int:appointment_pk>/fjern/",
        organisation_views.administrator_remove,
        name="administrator-remove",
    ),
    path(
        "ansatt/administrasjon/organisasjoner/<int:pk>/enheter/ny/",
        organisation_views.unit_create,
        name="unit-create",
    ),
    path("ansatt/administrasjon/enheter/", organisation_views.units, name="units"),
    path("ansatt/administrasjon/enheter/<int:pk>/", organisation_views.unit_change, name="unit"),
    path(
        "ansatt/administrasjon/enheter/import/",
        organisation_views.unit_import_page,
        name="unit-import",
    ),
]
