"""The administration part's own records; one module per area, each imported here."""

from .health import WorkerHeartbeat
from .invitations import Invitation

__all__ = ["Invitation", "WorkerHeartbeat"]
