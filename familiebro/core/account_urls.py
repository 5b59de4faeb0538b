from django.urls import path

from . import account_views

urlpatterns = [
    path("konto/", account_views.account, name="account"),
    path("konto/logg-inn/", account_views.login, name="login"),
    path("konto/andre-faktor/", account_views.second_factor, name="login-second-factor"),
    path(
        "konto/andre-faktor/oppsett/",
        account_views.set_up_second_factor,
        name="login-second-factor-setup",
    ),
    path(
        "konto/gjenopprettingskoder/",
        account_views.new_recovery_codes,
        name="account-new-recovery-codes",
    ),
    path("konto/logg-ut/", account_views.logout, name="logout"),
    path("konto/logg-ut-overalt/", account_views.logout_everywhere, name="logout-everywhere"),
]
