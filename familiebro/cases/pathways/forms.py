"""Forms of the pathway pages. The rules live in pathways.services; the forms only turn what
was sent into text and choices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..case_forms import CaseForm, select
from .services import MAX_SPEC_CHARACTERS


class NewVersionForm(CaseForm):
    spec = forms.CharField(
        label=_("Specification (JSON)"),
        required=False,
        max_length=MAX_SPEC_CHARACTERS,
        strip=False,
        help_text=_(
            "It starts as the newest version. Change it here, or paste or upload a whole "
            "specification instead."
        ),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
    )
    spec_file = forms.FileField(
        label=_("Or upload a JSON file (optional)"),
        required=False,
        help_text=_("An uploaded file is used instead of the text above."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    note = forms.CharField(
        label=_("What changed (optional)"),
        required=False,
        max_length=300,
        help_text=_("Shown in the list of versions, for example “First contact within 5 days”."),
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload = data.get("spec_file")
        if upload and upload.size > MAX_SPEC_CHARACTERS * 4:
            self.add_error(
                "spec_file",
                _(
                    "The file is too large for a pathway specification. "
                    "Upload the JSON of one pathway."
                ),
            )
        elif upload:
            try:
                data["spec"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error(
                    "spec_file",
                    _("The file is not UTF-8 text. Save it as UTF-8 and upload it again."),
                )
        if not data.get("spec", "").strip() and "spec_file" not in self.errors:
            self.add_error("spec", _("Write or paste the specification, or upload it as a file."))
        return data


class ChooseForm(CaseForm):
    """Where (a municipality or a unit the user may choose for) and which definition."""

    def __init__(
        self,
        *args: Any,
        municipalities: list[Any],
        units: list[Any],
        definitions: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        message = _("Choose where the pathway is used.")
        places: list[Any] = []
        if municipalities:
            places.append(
                (
                    _("Whole municipality"),
                    [(f"municipality:{m.pk}", str(m)) for m in municipalities],
                )
            )
        places.append((_("Unit"), [(f"unit:{u.pk}", f"{u} – {u.organisation}") for u in units]))
        self.fields["place"] = select(_("Where"), places, message=message)
        self.fields["pathway"] = select(
            _("Pathway for new cases"),
            definitions,
            message=_("Choose a pathway."),
        )
        for name in ("place", "pathway"):
            self.fields[name].widget.attrs["class"] = "ds-input"
        self._municipalities = {m.pk: m for m in municipalities}
        self._units = {u.pk: u for u in units}

    def place_object(self) -> dict[str, Any]:
        """The chosen place as the keyword choose() takes."""
        kind, _sep, pk = self.cleaned_data["place"].partition(":")
        if kind == "municipality":
            return {"municipality": self._municipalities[int(pk)]}
        return {"unit": self._units[int(pk)]}
