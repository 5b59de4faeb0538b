"""The five marks of a good referral (after the national guide "Kvalitet i alle ledd"),
checked while the referrer writes. A referral missing one is kept as a draft and cannot be
sent; each missing mark is named, so the referrer knows what to add.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .fields import FIELDS, field_key, question_key
from .models import Referral, ReferralKind

# A question or an assessment shorter than this says too little to act on.
MIN_TEXT = 20


@dataclass(frozen=True)
class Mark:
    key: str
    label: str
    missing: str  # what to add, in the referrer's words; empty when the mark is met

    @property
    def met(self) -> bool:
        return not self.missing


def unanswered(referral: Referral, kind: ReferralKind) -> list[str]:
    """The receiving kind's required information and questions not yet answered, by name."""
    answers = referral.answers or {}
    names = [
        str(FIELDS[key])
        for key in kind.required_fields
        if key in FIELDS and not str(answers.get(field_key(key), "")).strip()
    ]
    names += [
        question
        for number, question in enumerate(kind.question_list(), start=1)
        if not str(answers.get(question_key(number), "")).strip()
    ]
    return names


def marks(referral: Referral, kind: ReferralKind, allowed: Iterable[tuple[str, int]]) -> list[Mark]:
    """The five marks of `referral`; `allowed` holds the (category, consent id) pairs a consent
    in force lets it carry to the receiver."""
    missing_fields = unanswered(referral, kind)
    question = referral.question.strip()
    no_question = ""
    if len(question) < MIN_TEXT or "?" not in question:
        no_question = _(
            "Ask the receiver a concrete question: what do you want them to answer or do? "
            "End it with a question mark (at least %(n)s characters)."
        ) % {"n": MIN_TEXT}
    own = []
    if len(referral.assessment.strip()) < MIN_TEXT:
        own.append(_("your own assessment"))
    if len(referral.tried.strip()) < MIN_TEXT:
        own.append(_("what has been tried"))
    coordination = []
    if not referral.responsibility_group:
        coordination.append(_("whether there is a responsibility group"))
    if not referral.individual_plan:
        coordination.append(_("whether there is an individual plan"))
    allowed_pairs = set(allowed)
    outside = [
        item["category"]
        for item in referral.attachments
        if (item.get("category"), item.get("consent")) not in allowed_pairs
    ]
    return [
        Mark(
            "required",
            _("What %(unit)s requires for this kind of referral") % {"unit": kind.unit.name},
            _("Answer: %(names)s.") % {"names": "; ".join(missing_fields)}
            if missing_fields
            else "",
        ),
        Mark("question", _("A concrete question to the receiver"), no_question),
        Mark(
            "assessment",
            _("Your own assessment and what has been tried"),
            _("Write %(what)s (at least %(n)s characters each).")
            % {"what": _(" and ").join(own), "n": MIN_TEXT}
            if own
            else "",
        ),
        Mark(
            "coordination",
            _("Responsibility group, individual plan and coordinator"),
            _("Say %(what)s.") % {"what": _(" and ").join(coordination)} if coordination else "",
        ),
        Mark(
            "attachments",
            _("Attachments only within the family's consent"),
            _(
                "Remove the attachments no consent in force lets you send to this service, or "
                "record the family's consent first."
            )
            if outside
            else "",
        ),
    ]


def missing(
    referral: Referral, kind: ReferralKind, allowed: Iterable[tuple[str, int]]
) -> list[Mark]:
    return [mark for mark in marks(referral, kind, allowed) if not mark.met]
