from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "familiebro.core"
    label = "core"
    verbose_name = "Familiebro core"

    def ready(self) -> None:
        from familiebro.privacy import policy
        from familiebro.privacy.models.consent import IDENTITY_CATEGORY

        from .models import GuardianRelation, Person

        policy.register(
            Person,
            organisation_field="organisation_id",
            subject_field="id",
            category=IDENTITY_CATEGORY,
        )
        policy.register(
            GuardianRelation,
            organisation_field="organisation_id",
            subject_field="child_id",
            category=IDENTITY_CATEGORY,
        )
        # A parent or young person logged in sees the records about themselves and their
        # children (familiebro.privacy.family).
        policy.open_to_family(Person)
