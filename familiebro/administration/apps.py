from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    """Setting up and running an instance: organisations, units, staff and their roles,
    consent texts and rules, sign-on. No page here opens a family's data."""

    name = "familiebro.administration"
    label = "administration"
    verbose_name = "Familiebro administration"
