from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "familiebro.portal"
    label = "portal"
    verbose_name = "Familiebro for families"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .session import forget_citizen

        user_logged_in.connect(forget_citizen, dispatch_uid="portal.forget_citizen")
