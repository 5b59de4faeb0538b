"""Requests for help: the public form, the unit's inbox, the rate limit on asking, and the
notice of how long a request is kept."""
