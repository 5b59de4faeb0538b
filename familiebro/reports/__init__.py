"""Figures for leaders: dashboards, small-count suppression and exports (docs/reports.md)."""
