"""Nothing reaches personal data past the access policy.

(a) Every model that holds data about a person (it is Person, points at Person, or reaches
    a person through another row: a reminder through its deadline and case, a goal through
    its case) is registered with the policy, unless it is listed below with the reason it is
    not personal data.
(b) No view or API module touches a registered model's manager: they must go through
    policy.visible() / get_or_404() / list_page(), or call a service that does.
(c) Every public function of a services module that reaches such a model's manager (itself
    or through the module's own helpers) asks the policy first (policy.*, the cases'
    permissions.*, or a helper that does), unless it is listed with the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models

import familiebro
from familiebro.core.models import Person
from familiebro.privacy import policy

# Models that reach a person but are not themselves personal data, with the reason.
NOT_PERSONAL: dict[str, str] = {
    "cases.Reminder": (
        "that a reminder about a deadline went to a staff member: only the reminder sweep "
        "reads it (familiebro.cases.deadlines.reminders), no page or API shows it, and it holds no "
        "more than the ids of the deadline and the recipient"
    ),
}

PACKAGE = Path(familiebro.__file__).parent


def _references(model: type[models.Model]) -> list[Any]:
    return [
        field
        for field in model._meta.get_fields()
        if field.concrete and (field.many_to_one or field.one_to_one)
    ]


def models_about_a_person() -> dict[type[models.Model], list[str]]:
    """Person, and every model that reaches a person by a chain of references (e.g. a
    reminder -> its deadline -> its case -> the child), each with the references it takes."""
    about: dict[type[models.Model], list[str]] = {Person: []}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in about:
                continue
            through = [f.name for f in _references(model) if f.related_model in about]
            if through:
                about[model] = through
                grew = True
    return about


def test_every_model_about_a_person_is_registered_with_the_policy():
    registered = set(policy.registered_models())
    missing = [
        f"{model._meta.label} (through {', '.join(through) or 'being Person'})"
        for model, through in models_about_a_person().items()
        if model not in registered and model._meta.label not in NOT_PERSONAL
    ]
    assert not missing, (
        "These models hold data about a person but have no access rule. Register them in "
        "their app's ready() with familiebro.privacy.policy.register(), or list them in "
        f"NOT_PERSONAL with the reason: {missing}"
    )


def test_a_model_reaching_a_person_through_another_row_is_found():
    from familiebro.cases.models import Goal, MeasureEvaluation, Reminder

    about = models_about_a_person()
    # A reminder names a deadline, which names a case, which names the child.
    assert about[Reminder] == ["deadline"]
    assert Goal in about and MeasureEvaluation in about


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
    assert PACKAGE / "persons" / "views.py" in view_modules()
    assert PACKAGE / "privacy" / "api.py" in view_modules()
    bypasses = "Person.objects.all()\nmodels.Consent.objects.get()\nx._default_manager.all()\n"
    assert [line for line, _use in manager_uses(bypasses, {"Person", "Consent"})] == [1, 2, 3]
    assert manager_uses("Organisation.objects.all()\n", {"Person"}) == []


# Public service functions that reach personal data without an actor to check, and why.
SERVICES_WITHOUT_ACTOR: dict[str, str] = {
    **dict.fromkeys(
        [
            "groups/courses/actions.py:enrolment_for_cancel_link",
            "groups/courses/actions.py:cancel_by_link",
            "groups/courses/actions.py:enrolment_for_claim_link",
            "groups/courses/actions.py:claim_by_link",
        ],
        "a single-use link from a message to the parent: its unguessable token (stored only "
        "as a hash) is the holder's only key, and opens that one enrolment only",
    ),
    "groups/courses/reads.py:open_courses": (
        "the public list of a published offer's courses with their coming sessions: times and "
        "places, which name no one"
    ),
    "cases/plans/services.py:member_access": (
        "which of the consents already read with the plan (its own and its members') name "
        "whom and are in force, as ids; called by start_plan once the actor may change the "
        "case, and by the case page after reading the case"
    ),
    "cases/participant_services.py:coordination_consent": (
        "whether a consent lets a unit take part; called by add_participant once the actor "
        "may change the case"
    ),
    "cases/case_services.py:open_measures": (
        "the case's active measures, for closing it; called by decide once the actor may "
        "change the case"
    ),
    "cases/help_requests/services.py:claim_for_sender": (
        "a citizen takes up the request their own browser session just sent (its reference "
        "is kept in that session only), matched to nobody yet and within half an hour; "
        "audited as a change by the citizen"
    ),
    "outcomes/scale_services.py:open_link": (
        "the family's single-use link to a session scale: the link itself, encrypted and "
        "authenticated with the instance's key, names the rater; the page shows their label "
        "and the questions only"
    ),
    "outcomes/scale_services.py:answer_by_link": (
        "the family's answers through that link, spent in the same transaction; audited"
    ),
    "cases/meetings/services.py:bup_meetings_without_referral": (
        "a count, no rows: how many meetings BUP has held without a referral for a case the "
        "caller has read"
    ),
}

# What asks the policy: the policy itself, the cases' write rule, and the helpers of the
# services modules that call one of them first.
CHECKS = {"policy", "permissions"}
CHECKING_HELPERS = {"_require_change", "get_case", "get_meeting"}


def services_modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        # The actions and the reads of every part (consent_reads beside consent_services, a
        # part's pages), and exceptional access, disclosure and the review of the access log,
        # whose actions and reads share one module each, are held to the same rule.
        if path.name
        in (
            "services.py",
            "pages.py",
            "actions.py",
            "reads.py",
            "exceptional.py",
            "disclosure.py",
            "access_review.py",
        )
        or path.name.endswith(("_services.py", "_pages.py", "_reads.py"))
    )


def unchecked_service_functions(source: str, model_names: set[str]) -> list[tuple[str, int]]:
    """Public functions that reach a manager of `model_names` (directly or through the
    module's own functions) and never ask the policy on the way."""
    tree = ast.parse(source)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}

    def facts(function: ast.FunctionDef) -> tuple[bool, bool, set[str]]:
        reaches = bool(manager_uses(ast.unparse(function), model_names))
        checks, calls = False, set()
        for node in ast.walk(function):
            if isinstance(node, ast.Attribute) and (
                (isinstance(node.value, ast.Name) and node.value.id in CHECKS)
                or node.attr in CHECKING_HELPERS
            ):
                checks = True
            if isinstance(node, ast.Name):
                if node.id in CHECKING_HELPERS:
                    checks = True
                elif node.id in functions:
                    calls.add(node.id)
        return reaches, checks, calls

    known = {name: facts(function) for name, function in functions.items()}

    def closure(name: str) -> set[str]:
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo += known[current][2]
        return seen

    unchecked = []
    for name, function in functions.items():
        if name.startswith("_"):
            continue
        reached = closure(name)
        if any(known[n][0] for n in reached) and not any(known[n][1] for n in reached):
            unchecked.append((name, function.lineno))
    return unchecked


def test_no_service_reaches_personal_data_without_asking_the_policy():
    names = {model.__name__ for model in models_about_a_person()} | {
        model.__name__ for model in policy.registered_models()
    }
    offenders = [
        f"{path.relative_to(PACKAGE)}:{name} (line {line})"
        for path in services_modules()
        for name, line in unchecked_service_functions(path.read_text(), names)
        if f"{path.relative_to(PACKAGE)}:{name}" not in SERVICES_WITHOUT_ACTOR
    ]
    assert not offenders, (
        "These service functions reach personal data without asking the access policy. Call "
        "policy.require()/visible()/get_or_404() (or permissions.require_write() for a case) "
        f"first, or list the function in SERVICES_WITHOUT_ACTOR with the reason: {offenders}"
    )


def test_the_services_scan_recognises_a_bypass():
    assert PACKAGE / "cases" / "case_services.py" in services_modules()
    source = (
        "def leaks(actor, pk):\n    return Goal.objects.get(pk=pk)\n"
        "def through_helper(actor, pk):\n    return _read(pk)\n"
        "def _read(pk):\n    return Goal.objects.get(pk=pk)\n"
        "def checked(actor, case):\n    policy.require(actor, 'change', case, 'x')\n"
        "    return _read(case.pk)\n"
        "def written(actor, case):\n    case = _require_change(actor, case)\n"
        "    return Goal.objects.create(case=case)\n"
    )
    assert [name for name, _ in unchecked_service_functions(source, {"Goal"})] == [
        "leaks",
        "through_helper",
    ]


def test_the_exempt_service_functions_exist():
    for entry in SERVICES_WITHOUT_ACTOR:
        path, name = entry.split(":")
        assert f"def {name}(" in (PACKAGE / path).read_text(), entry
