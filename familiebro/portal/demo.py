"""Demo logins for Min side: on a demo instance without ID-porten, each demo parent or young
person logs in with one click, the way the login page lists the demo staff accounts.

Only where FAMILIEBRO_MODE is demo: anywhere else the list is empty and the login refused. The
families are the fictional ones of the demo data, with synthetic identity numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise

from familiebro.core.models import Person
from familiebro.interop import oidc
from familiebro.persons.demo import FAMILIES

# What the audit and the session record as the "level of assurance" of a demo login.
DEMO_ACR = "demo"
LOGS_IN = (Person.Kind.GUARDIAN, Person.Kind.YOUNG_PERSON, Person.Kind.EXPECTANT_PARENT)


@dataclass(frozen=True)
class DemoCitizen:
    key: str
    name: str
    situation: str | Promise
    national_id: str


def demo_citizens() -> list[DemoCitizen]:
    if not settings.DEMO_MODE:
        return []
    found: dict[str, DemoCitizen] = {}
    for family in FAMILIES:
        for member in family.members:
            if member.kind in LOGS_IN and member.national_id and member.key not in found:
                found[member.key] = DemoCitizen(
                    key=member.key,
                    name=f"{member.given_name} {member.family_name}",
                    situation=family.situation,
                    national_id=member.national_id,
                )
    return list(found.values())


def demo_login(key: str) -> oidc.VerifiedLogin | None:
    """The demo login of `key`, or None (not a demo citizen, or not a demo instance)."""
    for citizen in demo_citizens():
        if citizen.key == key:
            return oidc.VerifiedLogin(
                identity_number=citizen.national_id, acr=DEMO_ACR, id_token=""
            )
    return None
