"""Consent screens under a person: /ansatt/personer/<person_id>/samtykker/…"""

from django.urls import path

from . import consent_views

PREFIX = "ansatt/personer/<int:person_id>/samtykker/"

urlpatterns = [
    path(PREFIX, consent_views.consent_list, name="consent-list"),
    path(f"{PREFIX}ny/", consent_views.consent_record, name="consent-record"),
    path(f"{PREFIX}skjema.pdf", consent_views.consent_form_pdf, name="consent-form-pdf"),
    path(f"{PREFIX}<int:consent_id>/", consent_views.consent_detail, name="consent-detail"),
    path(
        f"{PREFIX}<int:consent_id>/trekk-tilbake/",
        consent_views.consent_withdraw,
        name="consent-withdraw",
    ),
    path(
        f"{PREFIX}<int:consent_id>/skjema/",
        consent_views.consent_attachment,
        name="consent-attachment",
    ),
    path(f"{PREFIX}be-familien/", consent_views.consent_request_prepare, name="consent-request"),
    path(
        f"{PREFIX}venter/<int:consent_request_id>/",
        consent_views.consent_request_detail,
        name="consent-request-detail",
    ),
    path(
        f"{PREFIX}venter/<int:consent_request_id>/avbryt/",
        consent_views.consent_request_cancel,
        name="consent-request-cancel",
    ),
]
