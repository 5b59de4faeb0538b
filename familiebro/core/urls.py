from django.urls import include, path

from . import views

urlpatterns = [
    path("ansatt/", views.staff_home, name="staff-home"),
    path("ansatt/personer/finn/", views.person_lookup, name="person-lookup"),
    path("", include("familiebro.core.person_urls")),
]
