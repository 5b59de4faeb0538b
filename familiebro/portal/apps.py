from typing import Any

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "familiebro.portal"
    label = "portal"
    verbose_name = "Familiebro for families"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .session import forget_citizen

        user_logged_in.connect(forget_citizen, dispatch_uid="portal.forget_citizen")

        from familiebro.privacy.consent_requests import consent_requested

        consent_requested.connect(_tell_those_asked, dispatch_uid="portal.consent_requested")


def _tell_those_asked(sender: Any, identity_hashes: list[str], **kwargs: Any) -> None:
    """Each one asked for a consent hears of it as they chose (portal.notices), by the worker."""
    from .models import NoticeKind
    from .tasks import send_notice

    for identity_hash in identity_hashes:
        send_notice.enqueue(identity_hash, NoticeKind.CONSENTS_WAITING)
