"""Meetings of a case: planning, invitations with a calendar file, moving, cancelling, minutes."""
