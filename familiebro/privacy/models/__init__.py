"""Privacy models: audit trail, consent, exceptional access, assignments (need-to-know)."""

from .access import Assignment, ExceptionalAccess, FamilyAccessRule, OversightRule
from .audit import AuditChainHead, AuditEvent, AuditVerification
from .consent import (
    Capacity,
    Consent,
    ConsentGiver,
    ConsentRule,
    ConsentText,
    DataCategory,
    Purpose,
)
from .consent_request import ConsentRequest, ConsentRequestAnswer
from .consultation import AgeBand, AnonymousConsultation
from .disclosure import DisclosureRequest
from .retention import Deposit, LegalHold, RetentionRule
from .review import AccessLogReview, RoleAuthorisation

__all__ = [
    "AccessLogReview",
    "AgeBand",
    "AnonymousConsultation",
    "Assignment",
    "AuditChainHead",
    "AuditEvent",
    "AuditVerification",
    "Capacity",
    "Consent",
    "ConsentGiver",
    "ConsentRequest",
    "ConsentRequestAnswer",
    "ConsentRule",
    "ConsentText",
    "DataCategory",
    "Deposit",
    "DisclosureRequest",
    "ExceptionalAccess",
    "FamilyAccessRule",
    "LegalHold",
    "OversightRule",
    "Purpose",
    "RetentionRule",
    "RoleAuthorisation",
]
