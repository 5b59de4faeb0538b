"""Pathway definitions as data: phases, decision points, tasks, deadline rules, information.

A definition is published in versions. A version's specification (JSON, parsed and checked by
familiebro.cases.pathways.spec) never changes once published: a case keeps the version it was
opened under, so editing a definition never rewrites a running case's history. A case moves
to a newer version only when someone migrates it explicitly.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PathwayDefinition(models.Model):
    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pathway_definitions",
        help_text=_("Empty for the definitions shipped with Familiebro, which anyone may use."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("pathway definition")
        verbose_name_plural = _("pathway definitions")

    def __str__(self) -> str:
        return self.name


_PARSED: dict[tuple[int, object], object] = {}


class PathwayVersion(models.Model):
    definition = models.ForeignKey(
        PathwayDefinition, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    spec = models.JSONField(_("specification"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["definition", "-number"]
        verbose_name = _("pathway version")
        verbose_name_plural = _("pathway versions")
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "number"], name="pathway_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.definition.name} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            saved = type(self).objects.filter(pk=self.pk).values_list("spec", flat=True).first()
            if saved is not None and saved != self.spec:
                # Running cases keep the version they were opened on: publish a new one.
                raise ValueError("A published pathway version cannot change; publish a new one.")
        super().save(*args, **kwargs)

    @property
    def parsed(self):  # -> pathways.Spec
        from familiebro.cases.pathways.spec import parse_spec

        # A version never changes once saved (see save), so each is parsed once per process:
        # a list of 200 cases must not parse the same specification 200 times.
        if self.pk is None:
            return parse_spec(self.spec)
        key = (self.pk, self.published_at)
        cached = _PARSED.get(key)
        if cached is None:
            cached = _PARSED[key] = parse_spec(self.spec)
        return cached


class PathwayChoice(models.Model):
    """Which definition a municipality, or one unit, uses for the cases it opens."""

    definition = models.ForeignKey(PathwayDefinition, on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    unit = models.OneToOneField(
        "core.ServiceUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pathway_choice",
    )

    class Meta:
        verbose_name = _("pathway choice")
        verbose_name_plural = _("pathway choices")
        constraints = [
            models.CheckConstraint(
                condition=Q(municipality__isnull=True) ^ Q(unit__isnull=True),
                name="pathway_choice_names_municipality_or_unit",
            ),
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(unit__isnull=True),
                name="pathway_choice_one_per_municipality",
            ),
        ]
