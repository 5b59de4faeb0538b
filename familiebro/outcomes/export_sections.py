"""What a person's right-of-access export shows of the session scales in their cases: who
rated, and each score with its session and questionnaire (privacy.export)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from familiebro.privacy.export import Column, Section, register_section

from . import models

CASE = Column("case__reference", _("Case"), key="case")


def register() -> None:
    register_section(
        Section(
            key="outcome_raters",
            heading=_("Who fills the session scales"),
            model=models.Rater,
            columns=(
                CASE,
                Column("label", _("Who")),
                Column("kind", _("Role")),
                Column("added_at", _("Added")),
            ),
            select_related=("case",),
        )
    )
    register_section(
        Section(
            key="outcome_scores",
            heading=_("Session scores"),
            model=models.ScaleScore,
            columns=(
                CASE,
                Column("rater__label", _("Who"), key="rater"),
                Column(
                    "instrument",
                    _("Questionnaire"),
                    value=lambda score: score.instrument.display_name,
                    kind="text",
                ),
                Column("session", _("Session")),
                Column("total", _("Score")),
                Column("answered_at", _("Answered")),
            ),
            select_related=("case", "rater", "instrument"),
            order_by=("answered_at", "pk"),
        )
    )
