"""The data controller's review of the access log: /ansatt/tilgangskontroll/"""

from django.urls import path

from . import access_review_views

urlpatterns = [
    path("ansatt/tilgangskontroll/", access_review_views.review, name="access-review"),
]
