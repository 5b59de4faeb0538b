"""Who may do what with questionnaires and session scales.

- Questionnaires are the instance's shared content, used by every organisation: like the
  programme register (catalogue.permissions.can_edit_register), only the instance's
  administrators make and publish versions of them. They hold no personal data.
- The session scales of a case are part of the case: whoever may change the case (its owning
  unit and the services taking part, cases.permissions.require_write) adds raters, records
  scores and hands out links; whoever the access policy lets read the scores sees the graph.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from familiebro.cases import permissions as case_permissions


def may_edit_instruments(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_instance_admin)


def require_may_edit_instruments(user: Any) -> None:
    if not may_edit_instruments(user):
        raise PermissionDenied(
            _(
                "Only the instance's administrators can change questionnaires: every "
                "organisation uses them. Ask one of them to make the change."
            )
        )


def require_may_record(user: Any, case: Any) -> None:
    case_permissions.require_write(user, case)


def may_record(user: Any, case: Any) -> bool:
    return case_permissions.may_change(user, case)
