"""Telling staff things in Familiebro: in-app notifications.

Nothing sent here carries the family's details: a notification names the case's reference and
links to Familiebro, where the access policy decides what the reader sees. Feedback to whoever
raised a case is in feedback_services.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from .models import Case, Notification


def case_link(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def notify(user: Any, text: str, case: Case) -> Notification:
    return Notification.objects.create(
        user=user, text=text[:300], link=case_link(case), created_at=timezone.now()
    )


def notifications_of(user: Any, limit: int) -> tuple[list[Notification], int]:
    """The user's own notifications, newest first, and how many are unread."""
    rows = list(Notification.objects.filter(user=user)[:limit])
    return rows, Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_all_read(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
