"""Staff pages of the privacy layer. Each area keeps its own URL module, included here."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("familiebro.privacy.consent_urls")),
    path("", include("familiebro.privacy.access_log_urls")),
    path("", include("familiebro.privacy.exceptional_urls")),
    path("", include("familiebro.privacy.access_review_urls")),
    path("", include("familiebro.privacy.disclosure_urls")),
    path("", include("familiebro.privacy.consultation_urls")),
    path("", include("familiebro.privacy.export_urls")),
]
