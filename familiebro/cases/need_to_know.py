"""Which need to know an open case depends on, so that it is not ended by hand.

A case gives each colleague or unit that joins it one assignment per family member (same
holder, same reason, each linked to the case); the participant row points at the child's.
While the case is open and the participation lasts, those assignments end with the
participation (participant_services.end_participation), not on the person page.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from familiebro.privacy.models import Assignment

from .models import Case, Participant


def kept_open_by_case(assignment: Assignment) -> str | None:
    # A participation in a case that gave this assignment, with the same holder (a user or
    # none, a unit or none) and reason as the participant's row.
    same_assignment = {
        "case__need_to_know_given": assignment,
        "assignment__organisation_id": assignment.organisation_id,
        "assignment__user_id": assignment.user_id,
        "assignment__unit_id": assignment.unit_id,
        "assignment__reason": assignment.reason,
    }
    participation = (
        Participant.objects.filter(
            case__status=Case.Status.OPEN, ended_at__isnull=True, **same_assignment
        )
        .select_related("case")
        .first()
    )
    if participation is None:
        return None
    return _(
        "Case %(reference)s is open and depends on this need to know. Close the case, or end "
        "the participation in it, first."
    ) % {"reference": participation.case.reference}
