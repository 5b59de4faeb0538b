"""The models of courses and appointment books."""
