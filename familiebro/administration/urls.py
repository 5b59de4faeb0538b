"""Administration pages: /ansatt/administrasjon/…"""

from django.urls import path

from . import consent_views, views

app_name = "administration"

urlpatterns = [
    path("ansatt/administrasjon/", views.home, name="home"),
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
]
