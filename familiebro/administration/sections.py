"""The administration area's sections: what the start page of the area offers each
administrator. Adding a section is adding one line to SECTIONS; its rule says who sees it,
and the section's own pages ask the rules in permissions.py again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import permissions


@dataclass(frozen=True)
class Section:
    url_name: str
    label: str | Promise
    explanation: str | Promise
    who: Callable[[Any], bool]


def organisation_administrators(user: Any) -> bool:
    return permissions.is_instance_admin(user) or bool(
        permissions.administered_organisation_ids(user)
    )


# In the order the start page shows them.
SECTIONS: tuple[Section, ...] = (
    Section(
        "administration:sign-on-list",
        _("Login with the organisation's identity provider"),
        _("Let staff log in with Entra ID, Ansattporten or another OpenID Connect login."),
        organisation_administrators,
    ),
)


@dataclass(frozen=True)
class SectionLink:
    label: str | Promise
    explanation: str | Promise
    url: str


def sections_for(user: Any) -> list[SectionLink]:
    links = []
    for section in SECTIONS:
        if not section.who(user):
            continue
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            continue
        links.append(SectionLink(section.label, section.explanation, url))
    return links
