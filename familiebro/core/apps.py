from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: organisations, staff and persons, and nothing above them.

    Its person models are registered with the access policy by the privacy app, which stands
    on core, not the other way round.
    """

    name = "familiebro.core"
    label = "core"
    verbose_name = "Familiebro core"
