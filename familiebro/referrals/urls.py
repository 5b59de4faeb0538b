"""Referral pages: /ansatt/henvisninger/…"""

from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("ansatt/henvisninger/", views.inbox, name="inbox"),
    path("ansatt/henvisninger/sendt/", views.sent, name="sent"),
    path("ansatt/henvisninger/ny/sak/<int:case_id>/", views.start_from_case, name="start-case"),
    path(
        "ansatt/henvisninger/ny/person/<int:person_id>/",
        views.start_from_person,
        name="start-person",
    ),
    path("ansatt/henvisninger/<int:referral_id>/", views.detail, name="detail"),
    path("ansatt/henvisninger/<int:referral_id>/endre/", views.edit, name="edit"),
    path("ansatt/henvisninger/<int:referral_id>/send/", views.send, name="send"),
    path("ansatt/henvisninger/<int:referral_id>/status/", views.change_status, name="status"),
    path("ansatt/henvisninger/<int:referral_id>/ny-versjon/", views.revise, name="revise"),
    path("ansatt/henvisninger/enheter/<int:unit_id>/", views.intake, name="intake"),
    path("ansatt/henvisninger/enheter/<int:unit_id>/typer/ny/", views.kind, name="kind-new"),
    path(
        "ansatt/henvisninger/enheter/<int:unit_id>/typer/<int:kind_id>/",
        views.kind,
        name="kind",
    ),
]
