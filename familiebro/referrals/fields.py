"""The information a receiving unit may require for a kind of referral.

A fixed list, so that the referrer's form names the same things for every receiver and a
receiver picks what it needs; a unit's own questions come on top (ReferralKind.questions).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

FIELDS: dict[str, object] = {
    "family_view": _("The family's own view and wishes"),
    "child_view": _("What the child says"),
    "health": _("Health information that matters for the referral"),
    "day_care_or_school": _("How things are at kindergarten or school"),
    "earlier_assessments": _("Earlier assessments and their results"),
    "urgency": _("How urgent it is, and why"),
}


def field_key(key: str) -> str:
    return f"field:{key}"


def question_key(number: int) -> str:
    return f"question:{number}"


def as_id(value: object) -> int | None:
    """A row id from a query string or form, or None: plain ASCII digits only (str.isdigit
    also says yes to "²", which int() refuses)."""
    text = str(value if value is not None else "")
    return int(text) if text.isascii() and text.isdigit() else None
