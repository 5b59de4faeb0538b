"""Nothing reaches personal data past the access policy.

(a) Every model that holds data about a person (it is Person, or points at Person directly)
    is registered with the policy, unless it is listed below with the reason it is not
    personal data.
(b) No view or API module touches a registered model's manager: they must go through
    policy.visible() / get_or_404() / list_page(), or call a service that does.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.db import models

import familiebro
from familiebro.core.models import Person
from familiebro.privacy import policy

# Models that point at Person but are not themselves personal data, with the reason.
NOT_PERSONAL: dict[str, str] = {}

PACKAGE = Path(familiebro.__file__).parent


def points_at_person(model: type[models.Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.get_fields()
        if field.concrete
        and (field.many_to_one or field.one_to_one)
        and field.related_model is Person
    ]


def test_every_model_about_a_person_is_registered_with_the_policy():
    registered = set(policy.registered_models())
    missing = [
        f"{model._meta.label} (through {', '.join(points_at_person(model)) or 'being Person'})"
        for model in apps.get_models()
        if (model is Person or points_at_person(model))
        and model not in registered
        and model._meta.label not in NOT_PERSONAL
    ]
    assert not missing, (
        "These models hold data about a person but have no access rule. Register them in "
        "their app's ready() with familiebro.privacy.policy.register(), or list them in "
        f"NOT_PERSONAL with the reason: {missing}"
    )


def test_the_not_personal_list_names_only_models_that_exist():
    labels = {model._meta.label for model in apps.get_models()}
    assert set(NOT_PERSONAL) <= labels


def view_modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if path.name in ("views.py", "api.py") or path.name.endswith("_views.py")
    )


def manager_uses(source: str, model_names: set[str]) -> list[tuple[int, str]]:
    """Lines where a registered model's `objects` or `_default_manager` is used."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager")):
            continue
        owner = node.value
        name = (
            owner.id
            if isinstance(owner, ast.Name)
            else owner.attr
            if isinstance(owner, ast.Attribute)
            else None
        )
        if node.attr == "_default_manager" or name in model_names:
            found.append((node.lineno, f"{name}.{node.attr}"))
    return found


def test_no_view_or_api_module_reads_a_registered_model_past_the_policy():
    names = {model.__name__ for model in policy.registered_models()}
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {use}"
        for path in view_modules()
        for line, use in manager_uses(path.read_text(), names)
    ]
    assert not offenders, (
        "Views and API endpoints must read personal data through familiebro.privacy.policy "
        f"(or a service that does): {offenders}"
    )


def test_the_scan_finds_views_and_recognises_a_bypass():
    # Guards the scan itself: it must see the view modules and flag the forms it looks for.
    assert PACKAGE / "core" / "person_views.py" in view_modules()
    assert PACKAGE / "privacy" / "api.py" in view_modules()
    bypasses = "Person.objects.all()\nmodels.Consent.objects.get()\nx._default_manager.all()\n"
    assert [line for line, _use in manager_uses(bypasses, {"Person", "Consent"})] == [1, 2, 3]
    assert manager_uses("Organisation.objects.all()\n", {"Person"}) == []
