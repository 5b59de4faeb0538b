from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "familiebro.reports"
    label = "reports"
    verbose_name = "Familiebro reports"

    def ready(self) -> None:
        from . import permissions

        # Who sees which figures, for the administration's table of roles.
        permissions.register_role_rules()
