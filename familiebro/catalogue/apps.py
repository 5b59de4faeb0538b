from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "familiebro.catalogue"
    label = "catalogue"
    verbose_name = "Familiebro catalogue"
