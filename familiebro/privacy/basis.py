"""Why an access was allowed: what the policy decides and the audit trail records.

Its own module because both the policy (which decides it) and the audit trail (which checks
that a consent basis names its consent) need it, and the policy writes to the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Basis:
    """Why an access was allowed, as the audit trail and the access log state it."""

    OWN_ORGANISATION = "own_organisation"
    CONSENT = "consent"
    # A row addressed to the reader (feedback to the person who raised a concern).
    ADDRESSED_TO_THEM = "addressed_to_them"

    kind: str
    consent_id: int | None = None
    exceptional_access_id: int | None = None
    # Every consent in force that opens the row (consent_id is the first of them): the audit
    # names them all.
    consent_ids: tuple[int, ...] = ()
    # The reader's own need to know opens the row too. A read during a break-glass access the
    # reader holds is recorded under the access even then (the family's log and the leaders'
    # review must see everything read in its window), but it changes nothing of what the
    # need to know allows: changing the row, the export.
    need_to_know: bool = False

    @property
    def legal_basis(self) -> str:
        return self.kind

    @property
    def by_need_to_know(self) -> bool:
        """Whether the reader's need to know in the holding service opens the row."""
        return self.kind == self.OWN_ORGANISATION or self.need_to_know

    def audit_detail(self) -> dict[str, list[int]]:
        """What an audit event written by hand (not by record_access) adds to its detail for
        this basis: the exceptional access it was read under, which the family's access log
        hides with the access while the controller keeps it hidden."""
        if self.exceptional_access_id is None:
            return {}
        return {"exceptional_access_ids": [self.exceptional_access_id]}
