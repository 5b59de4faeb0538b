"""Appointment books: a provider's recurring time at a place, its slots and their bookings."""
