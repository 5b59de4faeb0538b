from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "familiebro.reports"
    label = "reports"
    verbose_name = "Familiebro reports"
