from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "familiebro.portal"
    label = "portal"
    verbose_name = "Familiebro for families"
