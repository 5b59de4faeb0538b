"""The role rules of the parts, gathered for the table of what each role may do
(administration.role_table). A part registers each of its rules that depends on the user's
role alone, when the app is ready; the table asks them of an example staff member of each
role, so it says what the rules say. The rules themselves stay in each part's permissions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Example:
    """What the example staff members work in: an organisation and one of its units, a
    person the unit is assigned to and a person of the organisation nobody is assigned to."""

    organisation: Any
    unit: Any
    assigned: Any
    unassigned: Any


@dataclass(frozen=True)
class RoleRule:
    label: str | Promise
    # Whether the user may, in the example.
    ask: Callable[[Any, Example], bool]


_rules: list[RoleRule] = []


def register(label: str | Promise, ask: Callable[[Any, Example], bool]) -> None:
    """Add a part's rule to the table: `label` says what it allows in plain words."""
    if any(rule.label == label for rule in _rules):
        return
    _rules.append(RoleRule(label, ask))


def registered() -> tuple[RoleRule, ...]:
    return tuple(_rules)
