"""The administration part's own records; one module per area, each imported here."""

from .health import WorkerHeartbeat

__all__ = ["WorkerHeartbeat"]
