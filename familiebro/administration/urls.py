"""Administration pages: /ansatt/administrasjon/…"""

from django.urls import path

from . import sign_on_views, views

app_name = "administration"

urlpatterns = [
    path("ansatt/administrasjon/", views.home, name="home"),
    path("ansatt/administrasjon/innlogging/", sign_on_views.settings_list, name="sign-on-list"),
    path(
        "ansatt/administrasjon/innlogging/<int:organisation_id>/",
        sign_on_views.settings_edit,
        name="sign-on-edit",
    ),
    path("konto/organisasjon/logg-inn/", sign_on_views.login_start, name="sign-on-start"),
    path("konto/organisasjon/innlogget/", sign_on_views.callback, name="sign-on-callback"),
    path("konto/organisasjon/", sign_on_views.account, name="account-sign-on"),
    path("konto/organisasjon/koble/", sign_on_views.link, name="account-sign-on-link"),
    path(
        "konto/organisasjon/<int:identity_id>/fjern/",
        sign_on_views.unlink,
        name="account-sign-on-unlink",
    ),
]
