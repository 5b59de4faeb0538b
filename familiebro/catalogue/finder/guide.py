"""The guided path: who asks, for what age and which need, leads to a finder search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .criteria import EXPECTING, topics_in_use


class Asker:
    """Who is using the guide (step 1)."""

    EXPECTING = "venter-barn"
    PARENT = "forelder"
    YOUNG_PERSON = "ungdom"
    PROFESSIONAL = "fagperson"

    CHOICES = (
        (EXPECTING, _("We are expecting a child")),
        (PARENT, _("I am a parent or guardian")),
        (YOUNG_PERSON, _("I am a young person")),
        (PROFESSIONAL, _("I work with children or families")),
    )


@dataclass(frozen=True)
class Need:
    """An everyday way of saying what is hard, and the topics and words it means."""

    value: str
    label: Any
    topics: tuple[str, ...]
    # Searched instead when none of the topics is in the catalogue.
    words: str


# The topic codes are those of the catalogue's topic taxonomy (programme_data.TOPICS).
NEEDS: tuple[Need, ...] = (
    Need("krangel", _("We argue a lot"), ("couple-relationship", "conflict-separation"),
         "parforhold"),
    Need("samliv", _("We want to take care of our relationship"), ("couple-relationship",),
         "samliv"),
    Need("brudd", _("We are separating or have separated"), ("conflict-separation",),
         "samlivsbrudd"),
    Need("sovn", _("The baby sleeps badly"), ("infant-sleep-feeding",), "søvn"),
    Need("mat", _("Breastfeeding or food is difficult"), ("infant-sleep-feeding",), "amming"),
    Need("foreldrerolle", _("I want to feel more secure as a parent"), ("parenting-role",),
         "foreldrerollen"),
    Need("sinne", _("Our child is often angry, and setting limits is hard"), ("behaviour",),
         "grensesetting"),
    Need("ungdom", _("Things are hard with our teenager"), ("teenagers",), "ungdom"),
    Need("skole", _("Things are hard at school or kindergarten"), ("school",), "skole"),
    Need("psykisk", _("Someone in the family is not doing well (worry, sadness, anxiety)"),
         ("mental-health",), "psykisk helse"),
    Need("funksjon", _("Our child has a disability or special needs"), ("disability",),
         "funksjonsnedsettelse"),
    Need("vold", _("There is violence or threats in the family"), ("violence",), "vold"),
    Need("rus", _("Alcohol or drugs are a problem in the family"), ("substance-use",), "rus"),
    Need("sorg", _("We have lost someone, or something serious has happened"),
         ("grief-crisis",), "sorg"),
    Need("far", _("I am a father and want to meet other fathers"), ("fathers",), "pappa"),
    Need("ny-i-norge", _("We are new in Norway"), ("minority-families",), "minoritet"),
)  # fmt: skip
NEEDS_BY_VALUE = {need.value: need for need in NEEDS}


def guide_destination(asker: str, age: str, need_value: str) -> dict[str, list[str]]:
    """The finder's filters for the guide's answers, as query parameters.

    Uses the need's topics where the catalogue has them; otherwise searches its words, so
    the guide never ends in an empty page just because a topic is missing.
    """
    need = NEEDS_BY_VALUE[need_value]
    params: dict[str, list[str]] = {}
    if asker == Asker.EXPECTING:
        params["alder"] = [EXPECTING]
    elif age:
        params["alder"] = [age]
    in_use = {term.code for term in topics_in_use()}
    topics = [code for code in need.topics if code in in_use]
    if topics:
        params["tema"] = topics
    else:
        params["q"] = [need.words]
    return params
