"""The administration part's own records; one module per area, each imported here."""

from .sign_on import OrganisationSignOn, StaffIdentity  # noqa: F401
