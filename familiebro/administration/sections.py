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
        "administration:organisations",
        _("Organisations"),
        _(
            "The data controllers on the instance, the municipalities they serve and their "
            "administrators."
        ),
        organisation_administrators,
    ),
    Section(
        "administration:units",
        _("Units"),
        _(
            "The services' units: kind, confidentiality domain, municipalities served and "
            "contact details for families."
        ),
        permissions.is_administrator,
    ),
    Section(
        "administration:unit-import",
        _("Import units"),
        _("Create or update many units at once from a CSV file."),
        organisation_administrators,
    ),
    Section(
        "administration:staff",
        _("Staff"),
        _("Invite staff, give and remove roles in units, move staff, deactivate accounts."),
        permissions.is_administrator,
    ),
    Section(
        "administration:staff-import",
        _("Import staff"),
        _("Invite many staff at once, or give them roles, from a CSV file."),
        permissions.is_administrator,
    ),
    Section(
        "administration:sign-on-list",
        _("Login with the organisation's identity provider"),
        _("Let staff log in with Entra ID, Ansattporten or another OpenID Connect login."),
        organisation_administrators,
    ),
    Section(
        "administration:consent-texts",
        _("Consent texts"),
        _("The texts families consent to, per purpose and language, with every version."),
        organisation_administrators,
    ),
    Section(
        "administration:consent-rules",
        _("Consent rules"),
        _("Who consents for each service, beside what the law says."),
        organisation_administrators,
    ),
    Section(
        "administration:retention",
        _("Retention periods"),
        _("How long each kind of information is kept, and what happens then."),
        organisation_administrators,
    ),
    Section(
        "administration:roles",
        _("What each role may do"),
        _("A table read from the rules themselves: the menu, the parts and the access policy."),
        permissions.is_administrator,
    ),
    Section(
        "administration:health",
        _("Instance health"),
        _("Whether e-mails, reminders and the checks of the audit trail run, and what to do."),
        permissions.may_see_instance_health,
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
