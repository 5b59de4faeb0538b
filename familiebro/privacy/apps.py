from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "familiebro.privacy"
    label = "privacy"
    verbose_name = "Familiebro privacy"

    def ready(self) -> None:
        from . import policy
        from .models import Assignment, Consent, ConsentGiver, ExceptionalAccess

        # The privacy records themselves are personal data, never opened by consent.
        policy.register(
            Consent,
            organisation_field="organisation_id",
            subject_field="subject_id",
            category=None,
        )
        policy.register(
            ConsentGiver,
            organisation_field="consent__organisation_id",
            subject_field="consent__subject_id",
            category=None,
        )
        policy.register(
            Assignment,
            organisation_field="organisation_id",
            subject_field="person_id",
            category=None,
        )
        policy.register(
            ExceptionalAccess,
            organisation_field="organisation_id",
            subject_field="person_id",
            category=None,
        )
        # The family sees every consent given for them, in force or not.
        policy.open_to_family(Consent)
