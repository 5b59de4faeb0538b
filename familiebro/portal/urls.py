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
    path(
        "min-side/samtykker/svar/<int:consent_request_id>/",
        views.give_consent,
        name="give-consent",
    ),
    path("min-side/mine-data/", views.own_data, name="own-data"),
    path("min-side/mine-data/<int:person_id>.json", views.own_data_json, name="own-data-json"),
    path("min-side/mine-data/<int:person_id>.pdf", views.own_data_pdf, name="own-data-pdf"),
    path("min-side/varsler/", views.notice_settings, name="notice-settings"),
]
