"""The referrals in the person's right-of-access export: what the sending service referred,
to whom, and what became of it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from familiebro.privacy.export import Column, Section

from .models import Referral, ReferralEvent

SECTIONS = (
    Section(
        key="referrals",
        heading=gettext_lazy("Referrals to other services"),
        model=Referral,
        columns=(
            Column("from_unit__name", gettext_lazy("Referred by"), key="referred_by"),
            Column("to_unit__name", gettext_lazy("Referred to"), key="referred_to"),
            Column("to_kind__name", gettext_lazy("Kind of referral"), key="referral_kind"),
            Column("kind", gettext_lazy("Type")),
            Column("version", gettext_lazy("Version")),
            Column("question", gettext_lazy("Question to the receiver")),
            Column("assessment", gettext_lazy("The referrer's own assessment")),
            Column("tried", gettext_lazy("What has been tried")),
            Column("ground", gettext_lazy("Legal ground")),
            Column("legal_basis", gettext_lazy("Legal basis")),
            Column("sent_at", gettext_lazy("Sent")),
            Column("status", gettext_lazy("Status")),
        ),
        select_related=("from_unit", "to_unit", "to_kind"),
        order_by=("created_at", "pk"),
    ),
    Section(
        key="referral_events",
        heading=gettext_lazy("Changes to the referrals"),
        model=ReferralEvent,
        columns=(
            Column("referral_id", gettext_lazy("Referral"), key="referral"),
            Column("to_status", gettext_lazy("Status")),
            Column("at", gettext_lazy("When")),
            Column("reason", gettext_lazy("Reason")),
        ),
        order_by=("at", "pk"),
    ),
)
