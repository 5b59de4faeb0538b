"""The calendar: /ansatt/kalender/… for staff, /kalender/<token>.ics for calendar programs."""

from django.urls import path

from . import views

app_name = "calendar"

urlpatterns = [
    path("ansatt/kalender/", views.week, name="week"),
    path("ansatt/kalender/maned/", views.month, name="month"),
    path("ansatt/kalender/abonnement/", views.subscribe, name="subscribe"),
    path("ansatt/kalender/abonnement/stopp/", views.unsubscribe, name="unsubscribe"),
    path("kalender/<str:token>.ics", views.feed, name="feed"),
]
