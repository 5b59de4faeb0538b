"""Familiebro: early, coordinated, low-threshold help for families with children."""
