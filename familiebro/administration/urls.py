"""Administration pages: /ansatt/administrasjon/…"""

from django.urls import path

from . import health_views, staff_views, views

app_name = "administration"

urlpatterns = [
    path("ansatt/administrasjon/", views.home, name="home"),
    path("ansatt/administrasjon/driftsstatus/", health_views.health, name="health"),
    path("ansatt/administrasjon/driftsstatus.json", health_views.health_json, name="health-json"),
    path("ansatt/administrasjon/ansatte/", staff_views.staff_list, name="staff"),
    path("ansatt/administrasjon/ansatte/inviter/", staff_views.invite, name="staff-invite"),
    path(
        "ansatt/administrasjon/ansatte/<int:user_id>/",
        staff_views.staff_detail,
        name="staff-member",
    ),
    path(
        "ansatt/administrasjon/ansatte/<int:user_id>/roller/",
        staff_views.add_role,
        name="staff-add-role",
    ),
    path(
        "ansatt/administrasjon/ansatte/<int:user_id>/roller/<int:membership_id>/fjern/",
        staff_views.remove_role,
        name="staff-remove-role",
    ),
    path("ansatt/administrasjon/ansatte/<int:user_id>/flytt/", staff_views.move, name="staff-move"),
    path(
        "ansatt/administrasjon/ansatte/<int:user_id>/deaktiver/",
        staff_views.deactivate,
        name="staff-deactivate",
    ),
    path(
        "ansatt/administrasjon/ansatte/<int:user_id>/aktiver/",
        staff_views.reactivate,
        name="staff-reactivate",
    ),
    path(
        "ansatt/administrasjon/invitasjoner/<int:invitation_id>/send-igjen/",
        staff_views.resend_invitation,
        name="invitation-resend",
    ),
    path(
        "ansatt/administrasjon/invitasjoner/<int:invitation_id>/trekk-tilbake/",
        staff_views.withdraw_invitation,
        name="invitation-withdraw",
    ),
    # Opened by the invited person, who has no account yet.
    path("konto/invitasjon/<str:token>/", staff_views.accept_invitation, name="accept-invitation"),
]
