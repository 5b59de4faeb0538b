"""The staff menu and breadcrumbs: which areas of Familiebro a staff member's roles open.

The areas are declared once, in MENU, each with the rule for who may use it; the menu shows a
user the areas their roles open, and nothing else. The rules read the same staff scope the
access policy reads (policy.scope_of, one query per request and shared with the page's own
reads), so the menu never offers an area whose pages would refuse the user. Adding an area
is adding one line to MENU.

Breadcrumbs come from the same list: every staff page lies under the home page and, when its
address lies under an area's, under that area. They name the way back, not the page itself,
whose heading says where the user is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from familiebro.core.decorators import second_factor_passed
from familiebro.core.models import Membership

from . import exceptional, policy

Rule = Callable[[Any], bool]

CASEWORK_ROLES = frozenset(
    {Membership.Role.WORKER, Membership.Role.COORDINATOR, Membership.Role.LEADER}
)


def everyone(user: Any) -> bool:
    return True


def caseworkers(user: Any) -> bool:
    """Workers, coordinators and leaders: the people who work with families."""
    return bool(policy.scope_of(user).roles & CASEWORK_ROLES)


def leaders(user: Any) -> bool:
    return bool(policy.scope_of(user).leader_unit_ids)


def unit_staff(user: Any) -> bool:
    """Anyone with a role in a unit (a unit administrator too), and instance administrators:
    public texts about the units' work, no personal data."""
    return bool(policy.scope_of(user).roles) or instance_admins(user)


def instance_admins(user: Any) -> bool:
    return bool(getattr(user, "is_instance_admin", False))


def administrators(user: Any) -> bool:
    """Instance, organisation and unit administrators: setting up, no personal data."""
    scope = policy.scope_of(user)
    return (
        instance_admins(user)
        or bool(scope.administered_organisation_ids)
        or Membership.Role.UNIT_ADMIN in scope.roles
    )


def break_glass(user: Any) -> bool:
    return exceptional.may_break_the_glass(user)


# Compared and hashed by identity: each area is declared once, and its label is translated
# only when shown.
@dataclass(frozen=True, eq=False)
class Area:
    url_name: str
    label: str | Promise
    who: Rule
    # Other pages of the area whose addresses do not lie under the area's own.
    also: tuple[str, ...] = ()


# The areas, in the order the menu shows them.
MENU: tuple[Area, ...] = (
    Area("staff-home", _("Home"), everyone),
    Area("inbox:list", _("Requests for help"), caseworkers),
    Area("cases:mine", _("My cases"), caseworkers),
    Area("calendar:week", _("Calendar"), caseworkers),
    Area("appointments:books", _("Appointment books"), caseworkers),
    Area("courses:list", _("Courses and groups"), caseworkers),
    Area("cases:deadlines", _("Deadlines"), caseworkers, also=("cases:notifications",)),
    Area("cases:allocation", _("Allocation meeting"), caseworkers),
    Area("outcomes:evaluations", _("Anonymous evaluations"), caseworkers),
    Area("person-list", _("Persons"), caseworkers, also=("person-lookup",)),
    Area("consultation-list", _("Anonymous consultations"), caseworkers),
    Area("disclosure-list", _("Disclosure requests"), caseworkers),
    Area("referrals:inbox", _("Referrals"), caseworkers),
    Area("exceptional-access-lookup", _("Break-glass access"), break_glass),
    Area("cases:plan-register", _("Individual plans"), leaders),
    Area("reports:dashboard", _("Figures"), leaders),
    Area("exceptional-access-report", _("Exceptional access in my units"), leaders),
    Area("access-review", _("Review of the access log"), leaders),
    Area("offer-editor-list", _("Our offers"), unit_staff),
    Area("pathways:list", _("Pathways"), unit_staff),
    Area("programme-register-list", _("Programme register"), instance_admins),
    Area("crisis-line-list", _("Crisis numbers"), instance_admins),
    Area("outcomes:instruments", _("Questionnaires"), instance_admins),
    Area("administration:home", _("Administration"), administrators),
)
HOME = MENU[0]
# Staff pages live under these addresses; the public pages and Min side have no staff menu.
STAFF_PREFIXES = ("/ansatt/", "/konto/")


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url: str
    # aria-current: "page" on the area's own page, "true" on its other pages.
    current: str = ""


def areas_for(user: Any) -> list[Area]:
    """The areas the user's roles open, in menu order."""
    return [area for area in MENU if area.who(user)]


@cache
def _urls(area: Area) -> tuple[str, ...]:
    """The area's own address and the addresses of its other pages (fixed per process)."""
    found = []
    for name in (area.url_name, *area.also):
        try:
            found.append(reverse(name))
        except NoReverseMatch:
            continue
    return tuple(found)


def area_of(path: str) -> Area | None:
    """The area a staff page belongs to: the one whose address is the longest start of the
    page's. The home page's address starts every staff address, so only itself is home."""
    best: tuple[int, Area] | None = None
    for area in MENU:
        for url in _urls(area):
            under = path == url if area is HOME else path.startswith(url)
            if under and (best is None or len(url) > best[0]):
                best = (len(url), area)
    return best[1] if best else None


def _link(area: Area, path: str = "") -> Link:
    url = _urls(area)[0]
    if path == url:
        return Link(area.label, url, "page")
    return Link(area.label, url, "true" if path and area_of(path) is area else "")


def breadcrumbs(path: str) -> list[Link]:
    """The way back to the page's area and to the home page; empty on the home page."""
    area = area_of(path)
    if area is HOME:
        return []
    crumbs = [_link(HOME)]
    if area is not None and path not in _urls(area):
        crumbs.append(_link(area))
    return crumbs


def context(request: HttpRequest) -> dict[str, Any]:
    """For the page header (a template context processor): the staff menu and breadcrumbs
    of a logged-in member of staff on a staff page."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False) or not request.path.startswith(STAFF_PREFIXES):
        return {}
    if not second_factor_passed(request):
        # Half logged in: the areas would only send the user back to the second factor.
        return {}
    return {
        "staff_menu": [_link(area, request.path) for area in areas_for(user)],
        "breadcrumbs": breadcrumbs(request.path),
    }
