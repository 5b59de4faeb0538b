"""What appointment books register with the layers below at start-up (GroupsConfig.ready)."""

from __future__ import annotations


def register() -> None:
    from django.db.models import Q
    from django.utils.translation import gettext_lazy as _

    from familiebro.cases.deadlines import reminders
    from familiebro.privacy import export, family, policy

    from ..models import Booking
    from . import calendar, sweep

    # A booking is held by the book's unit: the access policy opens it to that unit's
    # staff, and permissions.visible_bookings narrows it to the provider and the unit's
    # leaders, and adds the unit of the nurse who booked it.
    policy.register(Booking, organisation_field="organisation_id", unit_field="unit_id")
    # A parent reads on Min side the bookings made with their identity.
    family.open_to_sender(Booking, "identity_hash")
    calendar.register()
    # The worker queues the reminders and go/no-go notices owed, after its deadline sweep.
    reminders.add_sweep(sweep.run)
    # A person's right of access shows the bookings made with their identity number in the
    # organisation that holds them.
    export.register_section(
        export.Section(
            key="appointments",
            heading=_("Appointments"),
            model=Booking,
            about=lambda person: Q(
                identity_hash=person.national_id_hash or "-",
                organisation_id=person.organisation_id,
            ),
            columns=(
                export.Column("slot__starts_at", _("Time")),
                export.Column("slot__book__label", _("Appointment")),
                export.Column("kind", _("Kind")),
                export.Column("name", _("Name")),
                export.Column("partner_name", _("The other parent's name (for a couple)")),
                export.Column("phone", _("Phone"), reveals_whereabouts=True),
                export.Column("email", _("E-mail"), reveals_whereabouts=True),
                export.Column("shared_with_provider", _("What the family agreed to share")),
                export.Column("agreement_recorded_at", _("The family agreed")),
                export.Column("cancelled_at", _("Cancelled")),
                export.Column("no_show_at", _("Did not come")),
            ),
            select_related=("slot__book",),
            order_by=("slot__starts_at", "pk"),
        )
    )
