"""Other ways in that a part above the accounts offers on the staff login page: an
organisation's own identity provider (familiebro.administration.sign_on registers them when
the app starts). The accounts part shows them and lets the page's form-action reach the
providers; it knows nothing else about them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LoginOption:
    label: str
    # The form posts `field` = `value` to `action_url`, which sends the browser on to `origins`.
    action_url: str
    field: str
    value: str
    origins: tuple[str, ...]


_sources: list[Callable[[], list[LoginOption]]] = []


def register(source: Callable[[], list[LoginOption]]) -> None:
    if source not in _sources:
        _sources.append(source)


def options() -> list[LoginOption]:
    return [option for source in _sources for option in source()]


def form_action_origins(offered: list[LoginOption]) -> list[str]:
    """What the login page's CSP form-action must allow besides itself, and only there."""
    return sorted({origin for option in offered for origin in option.origins})
