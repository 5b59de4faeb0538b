from django.urls import path

from . import views

urlpatterns = [
    path("konto/", views.account, name="account"),
    path("konto/logg-inn/", views.login, name="login"),
    path("konto/andre-faktor/", views.second_factor, name="login-second-factor"),
    path(
        "konto/andre-faktor/oppsett/",
        views.set_up_second_factor,
        name="login-second-factor-setup",
    ),
    path(
        "konto/gjenopprettingskoder/",
        views.new_recovery_codes,
        name="account-new-recovery-codes",
    ),
    path("konto/logg-ut/", views.logout, name="logout"),
    path("konto/logg-ut-overalt/", views.logout_everywhere, name="logout-everywhere"),
]
