"""Public, Norwegian addresses for asking for help: no login."""

from django.urls import path

from . import public_views

app_name = "help-request"

urlpatterns = [
    path("ta-kontakt/", public_views.contact, name="start"),
    path("ta-kontakt/kvittering/", public_views.receipt, name="receipt"),
    path("tilbud/<uuid:offer_id>/ta-kontakt/", public_views.offer_contact, name="offer"),
]
