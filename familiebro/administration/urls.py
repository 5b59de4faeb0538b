"""Administration pages: /ansatt/administrasjon/…"""

from django.urls import path

from . import (
    consent_views,
    health_views,
    invitation_sign_on_views,
    organisation_views,
    sign_on_views,
    staff_import_views,
    staff_views,
    views,
)

app_name = "administration"

urlpatterns = [
    path("ansatt/administrasjon/", views.home, name="home"),
    path(
        "ansatt/administrasjon/organisasjoner/",
        organisation_views.organisations,
        name="organisations",
    ),
    path(
        "ansatt/administrasjon/organisasjoner/ny/",
        organisation_views.organisation_create,
        name="organisation-create",
    ),
    path(
        "ansatt/administrasjon/organisasjoner/<int:pk>/",
        organisation_views.organisation,
        name="organisation",
    ),
    path(
        "ansatt/administrasjon/organisasjoner/<int:pk>/endre/",
        organisation_views.organisation_change,
        name="organisation-change",
    ),
    path(
        "ansatt/administrasjon/organisasjoner/<int:pk>/administratorer/",
        organisation_views.administrator_appoint,
        name="administrator-appoint",
    ),
    path(
        "ansatt/administrasjon/organisasjoner/<int:pk>/administratorer/<int:appointment_pk>/fjern/",
        organisation_views.administrator_remove,
        name="administrator-remove",
    ),
    path(
        "ansatt/administrasjon/organisasjoner/<int:pk>/enheter/ny/",
        organisation_views.unit_create,
        name="unit-create",
    ),
    path("ansatt/administrasjon/enheter/", organisation_views.units, name="units"),
    path("ansatt/administrasjon/enheter/<int:pk>/", organisation_views.unit_change, name="unit"),
    path(
        "ansatt/administrasjon/enheter/import/",
        organisation_views.unit_import_page,
        name="unit-import",
    ),
    path("ansatt/administrasjon/driftsstatus/", health_views.health, name="health"),
    path("ansatt/administrasjon/driftsstatus.json", health_views.health_json, name="health-json"),
    path("ansatt/administrasjon/ansatte/", staff_views.staff_list, name="staff"),
    path("ansatt/administrasjon/ansatte/inviter/", staff_views.invite, name="staff-invite"),
    path(
        "ansatt/administrasjon/ansatte/import/",
        staff_import_views.staff_import_page,
        name="staff-import",
    ),
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
    path(
        "konto/invitasjon/<str:token>/organisasjon/",
        invitation_sign_on_views.start,
        name="accept-invitation-sign-on",
    ),
    # Consent texts, consent rules, retention periods and the role table (consent_views).
    path(
        "ansatt/administrasjon/samtykketekster/",
        consent_views.choose_organisation,
        {"part": "texts"},
        name="consent-texts",
    ),
    path(
        "ansatt/administrasjon/samtykketekster/felles/",
        consent_views.consent_texts,
        name="consent-texts-instance",
    ),
    path(
        "ansatt/administrasjon/samtykketekster/felles/ny/",
        consent_views.publish_consent_text,
        name="consent-text-publish-instance",
    ),
    path(
        "ansatt/administrasjon/samtykketekster/<int:organisation_id>/",
        consent_views.consent_texts,
        name="consent-texts-organisation",
    ),
    path(
        "ansatt/administrasjon/samtykketekster/<int:organisation_id>/ny/",
        consent_views.publish_consent_text,
        name="consent-text-publish",
    ),
    path(
        "ansatt/administrasjon/samtykkeregler/",
        consent_views.choose_organisation,
        {"part": "rules"},
        name="consent-rules",
    ),
    path(
        "ansatt/administrasjon/samtykkeregler/<int:organisation_id>/",
        consent_views.consent_rules,
        name="consent-rules-organisation",
    ),
    path(
        "ansatt/administrasjon/samtykkeregler/<int:organisation_id>/<int:rule_id>/fjern/",
        consent_views.remove_consent_rule,
        name="consent-rule-remove",
    ),
    path(
        "ansatt/administrasjon/oppbevaring/",
        consent_views.choose_organisation,
        {"part": "retention"},
        name="retention",
    ),
    path(
        "ansatt/administrasjon/oppbevaring/felles/",
        consent_views.retention,
        name="retention-instance",
    ),
    path(
        "ansatt/administrasjon/oppbevaring/<int:organisation_id>/",
        consent_views.retention,
        name="retention-organisation",
    ),
    path("ansatt/administrasjon/roller/", consent_views.roles, name="roles"),
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
