from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    """Setting up and running an instance: organisations, units, staff and their roles,
    consent texts and rules, sign-on. No page here opens a family's data."""

    name = "familiebro.administration"
    label = "administration"
    verbose_name = "Familiebro administration"

    def ready(self) -> None:
        from familiebro.accounts import login_options

        from . import sign_on_reads

        # The organisations' logins on the staff login page.
        login_options.register(sign_on_reads.login_options)
