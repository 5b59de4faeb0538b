"""Administration pages: /ansatt/administrasjon/…"""

from django.urls import path

from . import views

app_name = "administration"

urlpatterns = [
    path("ansatt/administrasjon/", views.home, name="home"),
]
