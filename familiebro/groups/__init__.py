"""Courses and groups, and appointment books (a provider's time at a place, split into slots)."""
