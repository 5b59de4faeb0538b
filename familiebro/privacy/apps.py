from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "familiebro.privacy"
    label = "privacy"
    verbose_name = "Familiebro privacy"
