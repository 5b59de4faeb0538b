"""Administration pages: /ansatt/administrasjon/…"""

from django.urls import path

from . import health_views, views

app_name = "administration"

urlpatterns = [
    path("ansatt/administrasjon/", views.home, name="home"),
    path("ansatt/administrasjon/driftsstatus/", health_views.health, name="health"),
    path("ansatt/administrasjon/driftsstatus.json", health_views.health_json, name="health-json"),
]
