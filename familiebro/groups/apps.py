from django.apps import AppConfig


class GroupsConfig(AppConfig):
    """Courses and groups with enrolment, waiting lists and attendance, and appointment books
    with slots booked by families and staff."""

    name = "familiebro.groups"
    label = "groups"
    verbose_name = "Familiebro courses and appointments"

    def ready(self) -> None:
        from .appointments import registration as appointments
        from .courses import ready as courses

        courses.register()
        # Appointment books: bookings with the access policy, Min side and the staff calendar.
        appointments.register()
