from django.urls import path

from . import views

urlpatterns = [
    path("ansatt/", views.staff_home, name="staff-home"),
]
