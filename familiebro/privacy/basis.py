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

    @property
    def legal_basis(self) -> str:
        return self.kind
