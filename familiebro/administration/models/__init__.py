"""The administration part's own records; one module per area, each imported here."""

from .health import WorkerHeartbeat
from .invitations import Invitation
from .sign_on import OrganisationSignOn, StaffIdentity

__all__ = ["Invitation", "OrganisationSignOn", "StaffIdentity", "WorkerHeartbeat"]
