from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("min-side/", views.home, name="home"),
    path("min-side/logg-inn/", views.login, name="login"),
    path("min-side/logg-inn/id-porten/", views.login_start, name="login-start"),
    path("min-side/logg-inn/demo/", views.demo_login, name="demo-login"),
    path("min-side/innlogget/", views.callback, name="callback"),
    path("min-side/logg-ut/", views.logout, name="logout"),
    path("min-side/logget-ut/", views.logged_out, name="logged-out"),
    path("min-side/innsyn/<int:person_id>/", views.access_log, name="access-log"),
    path("min-side/saker/<int:case_id>/", views.case, name="case"),
    path("min-side/saker/<int:case_id>/plan.pdf", views.plan_pdf, name="plan-pdf"),
    path(
        "min-side/samtykker/<int:consent_id>/trekk-tilbake/",
        views.withdraw_consent,
        name="withdraw-consent",
    ),
]
