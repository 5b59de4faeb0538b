from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "familiebro.privacy"
    label = "privacy"
    verbose_name = "Familiebro privacy"

    def ready(self) -> None:
        from django.db.models import Q

        from familiebro.core.models import GuardianRelation, ParentInformationDecision, Person

        from . import policy
        from .models import (
            AnonymousConsultation,
            Assignment,
            Consent,
            ConsentGiver,
            DisclosureRequest,
            ExceptionalAccess,
        )
        from .models.consent import IDENTITY_CATEGORY

        # Who a person is, and who their guardians are: the identity category, which a
        # consent can open to another organisation.
        policy.register(
            Person,
            organisation_field="organisation_id",
            subject_field="id",
            category=IDENTITY_CATEGORY,
        )
        policy.register(
            GuardianRelation,
            organisation_field="organisation_id",
            subject_field="child_id",
            category=IDENTITY_CATEGORY,
        )
        # A decision on information to a parent without parental responsibility (barneloven
        # § 47) is the deciding service's record, in its domain; a consent never opens it.
        policy.register(
            ParentInformationDecision,
            organisation_field="organisation_id",
            subject_field="child_id",
            holder_field="unit_id",
            category=None,
        )
        # A parent or young person logged in sees the records about themselves and their
        # children (familiebro.privacy.family).
        policy.open_to_family(Person)

        # The privacy records themselves are personal data, never opened by consent.
        policy.register(
            Consent,
            organisation_field="organisation_id",
            subject_field="subject_id",
            category=None,
        )
        policy.register(
            ConsentGiver,
            organisation_field="consent__organisation_id",
            subject_field="consent__subject_id",
            category=None,
        )
        policy.register(
            Assignment,
            organisation_field="organisation_id",
            subject_field="person_id",
            category=None,
            # A need to know is given in one confidentiality domain: that child welfare works
            # with a family is child welfare's matter, also towards the school next door.
            domain_field="domain",
        )
        policy.register(
            ExceptionalAccess,
            organisation_field="organisation_id",
            subject_field="person_id",
            category=None,
        )
        # A disclosure request is the asking unit's record, about its own registration of the
        # person: its need to know reads it, in its domain. The holding unit's leader reads it
        # to answer through familiebro.privacy.disclosure; a consent never opens it.
        policy.register(
            DisclosureRequest,
            organisation_field="organisation_id",
            subject_field="subject_id",
            holder_field="requesting_unit_id",
            category=None,
        )
        # An anonymous consultation is pseudonymous: the unit that brought the case knows the
        # family. Only that unit's members read it; no consent or legal basis can open it,
        # since it names nobody.
        policy.register(
            AnonymousConsultation,
            organisation_field="unit__organisation_id",
            unit_field="unit_id",
        )
        # It names nobody, so the product cannot put it in anyone's right-of-access export;
        # the unit answers a parent who says which consultation it was (GDPR art. 11).
        from . import export

        export.register_not_exported(
            AnonymousConsultation,
            "an anonymous consultation names nobody; the unit that brought it answers a request "
            "about it by hand (GDPR art. 11)",
        )
        from .disclosure import EXPORT_SECTION

        export.register_section(EXPORT_SECTION)
        from django.utils.translation import gettext_lazy

        export.register_section(
            export.Section(
                key="parent_information_decisions",
                heading=gettext_lazy("Information to a parent without parental responsibility"),
                model=ParentInformationDecision,
                columns=(
                    export.Column("unit__name", gettext_lazy("Service"), key="unit"),
                    export.Column("parent", gettext_lazy("Parent")),
                    export.Column("asked", gettext_lazy("What was asked")),
                    export.Column("outcome", gettext_lazy("Decision")),
                    export.Column("given", gettext_lazy("What was given")),
                    export.Column("reason", gettext_lazy("Reason")),
                    export.Column("decided_by", gettext_lazy("Decided by")),
                    export.Column("decided_at", gettext_lazy("Decided")),
                ),
                select_related=("unit", "parent", "decided_by"),
                order_by=("decided_at", "pk"),
            )
        )
        # The unit's members are prompted on their start page to make the reports child
        # welfare advised in a consultation.
        from familiebro.core import start_page

        from .consultation_views import report_prompts_notice

        start_page.register_notice(report_prompts_notice)
        from .disclosure_views import waiting_notice

        start_page.register_notice(waiting_notice)
        # The family sees every consent given for them, in force or not.
        policy.open_to_family(Consent)
        # A consent waiting for the family to give it on Min side (privacy.consent_requests):
        # about the child, never opened by consent, and no consent itself until the last giver
        # gave it. Not opened to the family as a whole: Min side shows one only to those it
        # asks (consent_requests), never to a parent when only the young person is asked.
        from .models import ConsentRequest, ConsentRequestAnswer, DataCategory

        policy.register(
            ConsentRequest,
            organisation_field="organisation_id",
            subject_field="subject_id",
            category=None,
        )
        policy.register(
            ConsentRequestAnswer,
            organisation_field="request__organisation_id",
            subject_field="request__subject_id",
            category=None,
        )
        export.register_section(
            export.Section(
                key="consent_requests",
                heading=gettext_lazy("Consents asked of the family on Min side"),
                model=ConsentRequest,
                columns=(
                    export.Column("purpose", gettext_lazy("Purpose")),
                    export.Column("domain", gettext_lazy("Whose information")),
                    export.Column(
                        "scope",
                        gettext_lazy("Information"),
                        value=lambda row: ", ".join(
                            str(label)
                            for value, label in DataCategory.choices
                            if value in row.scope_categories
                        ),
                    ),
                    export.Column("valid_to", gettext_lazy("Valid to")),
                    export.Column("prepared_by", gettext_lazy("Prepared by")),
                    export.Column("prepared_at", gettext_lazy("Prepared")),
                    export.Column("status", gettext_lazy("Status")),
                    export.Column("consent_id", key="consent_id"),
                ),
                select_related=("prepared_by",),
                order_by=("prepared_at", "pk"),
            )
        )
        export.register_section(
            export.Section(
                key="consent_request_answers",
                heading=gettext_lazy("Answers to consents asked on Min side"),
                model=ConsentRequestAnswer,
                columns=(
                    export.Column("request_id", key="request_id"),
                    export.Column("person", gettext_lazy("Who")),
                    export.Column("answer", gettext_lazy("Answer")),
                    export.Column("answered_at", gettext_lazy("Answered")),
                ),
                # The answers a person gave, and those given about them.
                about=lambda person: (
                    (Q(request__subject=person) | Q(person=person))
                    & Q(request__organisation_id=person.organisation_id)
                ),
                select_related=("person",),
                order_by=("request_id", "pk"),
            )
        )
        # A legal hold on a person keeps their data past its period: it is about them, and
        # their right of access shows it (docs/data-protection.md, section 6).
        from django.utils.translation import gettext_lazy as _

        from .models import LegalHold

        policy.register(LegalHold, organisation_field="organisation_id", subject_field="person_id")
        export.register_section(
            export.Section(
                key="legal_holds",
                heading=_("Legal holds"),
                model=LegalHold,
                columns=(
                    export.Column("placed_at", _("Placed")),
                    export.Column("reason", _("Reason")),
                    export.Column("placed_by", _("Placed by")),
                    export.Column("lifted_at", _("Lifted")),
                    export.Column("lift_reason", _("Why it was lifted")),
                ),
                select_related=("placed_by",),
                order_by=("placed_at", "pk"),
            )
        )
