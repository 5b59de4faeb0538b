"""Appointment books: a provider's time at a place, split into slots that families and staff
book (Tiltak 26: the family therapist's day at the health centre).

A book belongs to the unit that offers the time (the family counselling office) and names the
provider (the therapist), the place (the health centre unit and its rooms), the day and how
often it recurs. Slots are generated from it for the coming weeks; a slot is time, not personal
data. A booking is personal data: who booked, for whom, and what the parents agreed to share.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from familiebro.core.models import Organisation, ServiceUnit

# What families see of the appointment when the unit has not chosen its own words: discreet,
# naming the place they know rather than the service (not "familievern").
DEFAULT_LABEL = "Samtale på helsestasjonen"


class AppointmentBook(models.Model):
    """A provider's recurring day (or half day, or evening) at a place."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    class Every(models.IntegerChoices):
        WEEK = 1, _("Every week")
        FORTNIGHT = 2, _("Every other week")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The unit that offers the time (the family counselling office).
    unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The unit whose premises the day is spent at (the health centre); its staff book for
    # the families they know.
    place_unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(max_length=200)
    # What families see in calendars and messages instead of the service's name.
    label = models.CharField(max_length=100, default=DEFAULT_LABEL)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    every = models.PositiveSmallIntegerField(choices=Every.choices, default=Every.WEEK)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    day_starts = models.TimeField()
    day_ends = models.TimeField()
    slot_minutes = models.PositiveSmallIntegerField(default=60)
    # Public holidays have no slots unless the book says so (some parents ask for them).
    on_holidays = models.BooleanField(default=False)
    video_link = models.URLField(blank=True)
    reminder_hours = models.PositiveSmallIntegerField(default=24)
    # Hours before the day starts when the provider hears whether anyone booked it.
    go_no_go_hours = models.PositiveSmallIntegerField(default=48)
    # The provider's own office, where follow-up conversations take place.
    office_place = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(day_ends__gt=models.F("day_starts")), name="book_day_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=10) & Q(slot_minutes__lte=240),
                name="book_slot_minutes_sensible",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Slot(models.Model):
    """One bookable stretch of the provider's time. Not personal data."""

    class Kind(models.TextChoices):
        BOOK_DAY = "day", _("At the place")
        EXTRA = "extra", _("Extra time")
        FOLLOW_UP = "follow_up", _("Follow-up at the provider's office")

    book = models.ForeignKey(AppointmentBook, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BOOK_DAY)
    # Where it is when not the book's own place (a follow-up at the provider's office).
    place = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            # Generating the coming weeks twice, or in two processes at once, makes each slot once.
            models.UniqueConstraint(fields=["book", "starts_at"], name="slot_unique_start"),
        ]
        indexes = [models.Index(fields=["book", "starts_at"], name="slot_book_start")]

    @property
    def where(self) -> str:
        return self.place or self.book.place


class Booking(models.Model):
    """Who has a slot: a couple or a parent (booked by themselves or by a nurse with their
    agreement), or a nurse's case discussion with the provider (no family named)."""

    class Kind(models.TextChoices):
        COUPLE = "couple", _("Conversation for a couple")
        PARENT = "parent", _("Conversation for a parent")
        CASE_DISCUSSION = "discussion", _("Case discussion with the provider")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The book's unit and organisation hold the booking (the service that has the
    # conversation); the access policy opens it through them.
    unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="+")
    # The unit of the nurse who booked for the family: it sees the bookings it made.
    booked_by_unit = models.ForeignKey(
        ServiceUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    # The provider, copied from the book, so their reads need no join to the book.
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The keyed hash of the identity number of the parent who booked with ID-porten (or whose
    # number the nurse entered), so that Min side shows it to them and no one else.
    identity_hash = models.CharField(max_length=64, blank=True, db_index=True)
    name = models.CharField(max_length=200, blank=True)
    partner_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    # A nurse books for a family only with their agreement, recorded here.
    agreement_recorded_at = models.DateTimeField(null=True, blank=True)
    # What the parents agreed the provider may know beforehand; nothing else of the place's
    # records reaches the provider.
    shared_with_provider = models.TextField(blank=True)
    follow_up_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    no_show_at = models.DateTimeField(null=True, blank=True)
    # The single-use cancellation link: its SHA-256 only; emptied once used.
    cancel_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    cancellation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # No double booking, ever: one booking in force per slot, whoever books at once.
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(cancelled_at__isnull=True),
                name="booking_one_active_per_slot",
            ),
        ]
        indexes = [models.Index(fields=["provider", "slot"], name="booking_provider_slot")]

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None


class DayNotice(models.Model):
    """That the provider was told whether a day of a book goes ahead: once per book and day."""

    book = models.ForeignKey(AppointmentBook, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    booked = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["book", "day"], name="day_notice_once")]
