"""The administration part's own records; one module per area, each imported here."""

from .invitations import Invitation as Invitation
