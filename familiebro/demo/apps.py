from django.apps import AppConfig


class DemoConfig(AppConfig):
    """An app only for its `demo-data` command; it has no models."""

    name = "familiebro.demo"
    label = "demo"
    verbose_name = "Familiebro demo"
