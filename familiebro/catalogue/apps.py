from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class CatalogueConfig(AppConfig):
    name = "familiebro.catalogue"
    label = "catalogue"
    verbose_name = "Familiebro catalogue"

    def ready(self) -> None:
        from familiebro.core.models import Municipality

        from . import permissions
        from .finder.criteria import forget_filter_choices
        from .finder.search import forget_vocabulary
        from .finder.thesaurus import forget as forget_thesaurus
        from .models import Offer, TaxonomyTerm, Thesaurus

        # The finder's filter choices, kept for a minute, change with these: this process
        # shows a change at once (other processes within the minute, see finder/criteria.py).
        for model in (Offer, TaxonomyTerm, Municipality):
            post_save.connect(forget_filter_choices, sender=model, weak=False)
            post_delete.connect(forget_filter_choices, sender=model, weak=False)
        # So do the words the finder corrects misspellings to, and the thesaurus.
        for model in (Offer, TaxonomyTerm):
            post_save.connect(forget_vocabulary, sender=model, weak=False)
        post_save.connect(forget_thesaurus, sender=Thesaurus, weak=False)
        m2m_changed.connect(forget_filter_choices, sender=Offer.topics.through, weak=False)
        # What each role may do here, for the administration's table of roles.
        permissions.register_role_rules()
