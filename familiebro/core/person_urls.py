"""Person pages: /ansatt/personer/…"""

from django.urls import path

from . import person_views

urlpatterns = [
    path("ansatt/personer/", person_views.person_list, name="person-list"),
    path("ansatt/personer/ny/", person_views.person_register, name="person-register"),
    path("ansatt/personer/<int:person_id>/", person_views.person_detail, name="person-detail"),
    path(
        "ansatt/personer/<int:person_id>/endre/",
        person_views.person_change,
        name="person-change",
    ),
    path(
        "ansatt/personer/<int:person_id>/tilgang/<int:assignment_id>/avslutt/",
        person_views.assignment_end,
        name="person-assignment-end",
    ),
]
