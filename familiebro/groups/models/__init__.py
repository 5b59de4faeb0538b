"""The models of courses and appointment books."""

from .appointments import AppointmentBook, Booking, DayNotice, Slot  # noqa: F401
