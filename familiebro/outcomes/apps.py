from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "familiebro.outcomes"
    label = "outcomes"
    verbose_name = "Familiebro outcomes"

    def ready(self) -> None:
        from familiebro.privacy import policy
        from familiebro.privacy.models import DataCategory

        from . import export_sections, models

        # A case's session scores, and who gave them, are about the case's child and held by
        # the case's owning unit, in its confidentiality domain. They are a consent category
        # of their own: a consent opens them only when its scope names outcome scores.
        for model in (models.Rater, models.ScaleScore):
            policy.register(
                model,
                organisation_field="organisation_id",
                subject_field="case__child_id",
                category=str(DataCategory.OUTCOME_SCORES),
                holder_field="case__unit_id",
            )
        export_sections.register()
