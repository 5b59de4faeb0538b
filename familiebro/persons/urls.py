"""Person pages: /ansatt/personer/…"""

from django.urls import path

from . import views

urlpatterns = [
    path("ansatt/personer/finn/", views.person_lookup, name="person-lookup"),
    path("ansatt/personer/", views.person_list, name="person-list"),
    path("ansatt/personer/ny/", views.person_register, name="person-register"),
    path("ansatt/personer/ny-familie/", views.family_register, name="person-family-register"),
    path("ansatt/personer/<int:person_id>/", views.person_detail, name="person-detail"),
    path(
        "ansatt/personer/<int:person_id>/foresatte/ny/",
        views.guardian_link,
        name="person-guardian-link",
    ),
    path(
        "ansatt/personer/<int:person_id>/foresatte/<int:relation_id>/fjern/",
        views.guardian_unlink,
        name="person-guardian-unlink",
    ),
    path(
        "ansatt/personer/<int:person_id>/endre/",
        views.person_change,
        name="person-change",
    ),
    path(
        "ansatt/personer/<int:person_id>/opplysninger-til-forelder/",
        views.parent_information,
        name="person-parent-information",
    ),
    path(
        "ansatt/personer/<int:person_id>/adressesperre/",
        views.address_protection,
        name="person-address-protection",
    ),
    path(
        "ansatt/personer/<int:person_id>/tilgang/<int:assignment_id>/avslutt/",
        views.assignment_end,
        name="person-assignment-end",
    ),
]
