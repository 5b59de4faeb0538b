"""The access log: /ansatt/personer/<person_id>/tilgangslogg/"""

from django.urls import path

from . import access_log_views

urlpatterns = [
    path(
        "ansatt/personer/<int:person_id>/tilgangslogg/",
        access_log_views.person_access_log,
        name="person-access-log",
    ),
]
