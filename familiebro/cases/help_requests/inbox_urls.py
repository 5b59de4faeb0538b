"""The unit's inbox of requests for help: /ansatt/henvendelser/…"""

from django.urls import path

from . import inbox_views

app_name = "inbox"

urlpatterns = [
    path("ansatt/henvendelser/", inbox_views.inbox, name="list"),
    path("ansatt/henvendelser/ny/", inbox_views.register, name="register"),
    path("ansatt/henvendelser/<int:pk>/", inbox_views.detail, name="detail"),
    path(
        "ansatt/henvendelser/<int:pk>/kontaktet/",
        inbox_views.mark_contacted,
        name="contacted",
    ),
    path("ansatt/henvendelser/<int:pk>/lukk/", inbox_views.close, name="close"),
    path("ansatt/henvendelser/<int:pk>/sak/", inbox_views.convert, name="convert"),
    path(
        "ansatt/henvendelser/<int:pk>/familie/",
        inbox_views.register_family,
        name="register-family",
    ),
]
