from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "familiebro.cases"
    label = "cases"
    verbose_name = "Familiebro cases"

    def ready(self) -> None:
        from familiebro.privacy import policy

        from .models import HelpRequest

        # A request concerns no registered person yet: the receiving unit's members see it.
        policy.register(HelpRequest, organisation_field="organisation_id", unit_field="unit_id")
