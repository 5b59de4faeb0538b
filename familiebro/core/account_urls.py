from django.urls import path

from . import account_views

urlpatterns = [
    path("konto/logg-inn/", account_views.LoginView.as_view(), name="login"),
    path("konto/andre-faktor/", account_views.second_factor, name="login-second-factor"),
    path("konto/logg-ut/", account_views.logout, name="logout"),
]
