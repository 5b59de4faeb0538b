from django.apps import AppConfig
from django.db.models import Q


class CasesConfig(AppConfig):
    name = "familiebro.cases"
    label = "cases"
    verbose_name = "Familiebro cases"

    def ready(self) -> None:
        from familiebro.core import start_page
        from familiebro.privacy import family, policy, retention
        from familiebro.privacy import services as privacy_services
        from familiebro.privacy.models import DataCategory
        from familiebro.privacy.models.consent import IDENTITY_CATEGORY

        from . import export_sections, home_tiles, models, permissions
        from . import retention as case_retention
        from .need_to_know import kept_open_by_case

        # What each role may do here, for the administration's table of roles.
        permissions.register_role_rules()
        # Who takes part in a child's case works on the child: a consent naming their service
        # opens the child's data to them (a named participant, or every member of a unit that
        # takes part as a whole), and to none of their colleagues.
        policy.register_participation(
            models.Participant,
            person_field="case__child_id",
            organisation_field="organisation_id",
            user_field="user_id",
            unit_field="unit_id",
            active=Q(ended_at__isnull=True),
        )
        # A request concerns no registered person yet: the receiving unit's members see it.
        policy.register(
            models.HelpRequest, organisation_field="organisation_id", unit_field="unit_id"
        )
        # A parent who sent a request logged in on Min side reads it and its status there.
        family.open_to_sender(models.HelpRequest, "requester_identity_hash")
        # Everything in a case is about its child, owned by the case's organisation. A
        # consent for coordination opens the case's existence (identity) to its recipients,
        # and each part only when its category is in the consent's scope.
        about_the_child: dict[type, str] = {
            models.Case: IDENTITY_CATEGORY,
            models.Decision: DataCategory.MEASURES_AND_PLANS,
            models.Handover: DataCategory.MEASURES_AND_PLANS,
            models.Participant: DataCategory.MEASURES_AND_PLANS,
            models.Milestone: DataCategory.MEASURES_AND_PLANS,
            models.Goal: DataCategory.MEASURES_AND_PLANS,
            models.Measure: DataCategory.MEASURES_AND_PLANS,
            models.MeasureEvaluation: DataCategory.MEASURES_AND_PLANS,
            models.IndividualPlan: DataCategory.MEASURES_AND_PLANS,
            models.PlanDecision: DataCategory.MEASURES_AND_PLANS,
            models.Deadline: DataCategory.MEASURES_AND_PLANS,
            models.LogEntry: DataCategory.LOG_ENTRIES,
            models.Meeting: DataCategory.MEETING_MINUTES,
            models.Invitation: DataCategory.MEETING_MINUTES,
        }
        # What the owning organisation marks internal (with the reason why) is for its own
        # staff with a need to know: a measure's evaluations, evaluation deadlines and the log
        # entries that record it are internal with it, also when it is marked internal later.
        internal = Q(internal_reason__gt="")
        internal_measure = Q(measure__internal_reason__gt="")
        marked_internal: dict[type, Q] = {
            models.LogEntry: internal | internal_measure,
            models.Measure: internal,
            models.MeasureEvaluation: internal_measure,
            models.Deadline: internal_measure,
        }
        # The shared log records decisions, milestones, a new coordinator, goals, measures and
        # evaluations with their text, and meetings moved or cancelled and approved minutes: a
        # consent opens those entries only when it also covers what they repeat.
        repeated: dict[type, tuple[str, dict[str, str]]] = {
            models.LogEntry: (
                "kind",
                {
                    models.LogEntry.Kind.DECISION: about_the_child[models.Decision],
                    models.LogEntry.Kind.MILESTONE: about_the_child[models.Milestone],
                    models.LogEntry.Kind.COORDINATOR: about_the_child[models.Handover],
                    models.LogEntry.Kind.GOAL: about_the_child[models.Goal],
                    models.LogEntry.Kind.MEASURE: about_the_child[models.Measure],
                    models.LogEntry.Kind.EVALUATION: about_the_child[models.MeasureEvaluation],
                    models.LogEntry.Kind.MEETING: about_the_child[models.Meeting],
                    models.LogEntry.Kind.MINUTES: about_the_child[models.Meeting],
                },
            )
        }
        # The case is held by its owning unit, and so is every part of it, whoever wrote the
        # part: all of it is in the owning unit's confidentiality domain.
        for model, category in about_the_child.items():
            to_case = ""
            if model is models.MeasureEvaluation:
                to_case = "measure__case__"
            elif model is models.Invitation:
                to_case = "meeting__case__"
            elif model is not models.Case:
                to_case = "case__"
            policy.register(
                model,
                organisation_field="organisation_id",
                subject_field=f"{to_case}child_id",
                category=str(category),
                internal=marked_internal.get(model),
                holder_field=f"{to_case}unit_id",
                also_category=repeated.get(model),
            )

        # Feedback to whoever raised the concern: held with the case, never opened by a
        # consent, and opened to the staff member it is addressed to (made only when it may be
        # given: feedback_services).
        policy.register(
            models.ReporterFeedback,
            organisation_field="organisation_id",
            subject_field="case__child_id",
            holder_field="case__unit_id",
            recipient_field="recipient_id",
        )

        # The start page counts the user's own work: requests, cases, deadlines, notifications.
        start_page.register_tiles(home_tiles.tiles)

        # Every kind of record above is a section of the person's right-of-access export.
        export_sections.register()

        # Retention: a request closed without a case, and a closed case with all its parts
        # (the request it came from included), each after its period from the closing.
        retention.register(
            retention.Category(
                "closed_help_request",
                models.HelpRequest,
                case_retention.closed_requests_expired,
                "organisation_id",
                None,
                unit_kind_field="unit__kind",
                archive=case_retention.archive_requests,
            )
        )
        retention.register(
            retention.Category(
                "closed_case",
                models.Case,
                case_retention.closed_cases_expired,
                "organisation_id",
                "child_id",
                delete=case_retention.delete_cases,
                unit_kind_field="unit__kind",
                archive=case_retention.archive_cases,
            )
        )
        # A case with an individual plan, or a decision on the rights to one or to a
        # coordinator, is kept for the archive whatever its unit's rule (unless its controller
        # archives plans from its own record system); a kept case keeps the consents it
        # refers to.
        retention.register_preservation_check("closed_case", case_retention.cases_with_plans)
        retention.register_preservation_check(
            "ended_consent", case_retention.consents_of_kept_cases
        )
        # An open case's participants keep their need to know until they leave the case.
        privacy_services.register_keeper(kept_open_by_case)

        # What the family reads of its cases: not what is marked internal (the policy leaves
        # it out, see above), not the earlier text of a corrected log entry, and meetings
        # without their minutes (approved minutes reach them as a log entry).
        # Of a young person's case in a service that keeps it from the parents by default
        # (privacy.family), the parents see only what the service released: the case, its
        # goals, measures and log entries each by their own marking; who takes part, the
        # coming meetings and the plan with the case.
        released, with_case = "released_to_family_at", "case__released_to_family_at"
        for model, hidden, release in (
            (models.Case, None, released),
            (models.Participant, None, with_case),
            (models.Goal, None, released),
            (models.Measure, None, released),
            (models.Meeting, None, with_case),
            (models.LogEntry, Q(current=False), released),
            (models.IndividualPlan, None, with_case),
            # The decisions on the family's rights to a plan and to coordinators are the
            # family's to read, with the case.
            (models.PlanDecision, None, with_case),
        ):
            policy.open_to_family(model, hidden=hidden, released=release)
