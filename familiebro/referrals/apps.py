from django.apps import AppConfig
from django.db.models import Q


class ReferralsConfig(AppConfig):
    name = "familiebro.referrals"
    label = "referrals"
    verbose_name = "Familiebro referrals"

    def ready(self) -> None:
        from familiebro.privacy import export, policy

        from . import export_sections, models, permissions

        permissions.register_role_rules()
        # A referral is the record of what one unit sent another about a child: the staff of
        # those two units read it (the sender its own record, the receiver what was addressed
        # to it), and nobody else, whatever consent or need to know they hold. The sending
        # unit holds it, in its confidentiality domain (for the access log).
        for model, prefix in ((models.Referral, ""), (models.ReferralEvent, "referral__")):
            policy.register(
                model,
                organisation_field=f"{prefix}organisation_id",
                subject_field=f"{prefix}person_id",
                holder_field=f"{prefix}from_unit_id",
                between_units=(f"{prefix}from_unit_id", f"{prefix}to_unit_id"),
                # A draft is not sent: the receiving unit does not see it yet.
                unsent=Q(**{f"{prefix}status": models.Status.DRAFT}),
            )
        for section in export_sections.SECTIONS:
            export.register_section(section)
