"""Individual plans: the family's own plan of a case, started, ended and printed."""
