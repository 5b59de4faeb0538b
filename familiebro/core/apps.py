from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "familiebro.core"
    label = "core"
    verbose_name = "Familiebro core"

    def ready(self) -> None:
        from familiebro.privacy import policy

        from .models import GuardianRelation, Person

        policy.register(Person, organisation_field="organisation_id")
        policy.register(GuardianRelation, organisation_field="organisation_id")
