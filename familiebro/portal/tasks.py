"""Background tasks of Min side, run by the django-tasks worker."""

from __future__ import annotations

from django_tasks import task

from . import notices


@task()
def send_notice(identity_hash: str, kind: str) -> str:
    """Tell one citizen there is a notice of `kind`, as they chose. Takes only the keyed hash
    and the kind, so the task queue holds no personal data."""
    return notices.notify(identity_hash, kind)
