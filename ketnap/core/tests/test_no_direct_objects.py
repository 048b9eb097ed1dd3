"""Views and API modules never reach a scoped model's manager directly (DESIGN.md §5, Zulip-style lint).

They must go through the `queries.py` functions, which narrow every queryset to the user's scope.
A scoped model is any model that declares `SCOPE_FIELDS`; the check is done on the syntax tree, so
`Person.objects`, `models.Person.objects`, `Person._default_manager` and `Person._base_manager` are
all caught, as is an import alias (`from ketnap.people.models import Person as P`).
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps

import ketnap

ROOT = Path(ketnap.__file__).resolve().parent
MANAGERS = {"objects", "_default_manager", "_base_manager"}
INTERFACE_FILES = ("*views.py", "api.py")  # views.py, org_views.py, calendar_views.py …


def scoped_model_names() -> set[str]:
    return {m.__name__ for m in apps.get_models() if hasattr(m, "SCOPE_FIELDS")}


def interface_modules() -> list[Path]:
    found = []
    for name in INTERFACE_FILES:
        found += [p for p in ROOT.rglob(name) if ".venv" not in p.parts]
    for package in ("views", "api"):  # a views/ or api/ package
        for directory in ROOT.rglob(package):
            if directory.is_dir():
                found += list(directory.rglob("*.py"))
    return sorted({p for p in found if "tests" not in p.relative_to(ROOT).parts})


def violations(source: str, scoped: set[str]) -> list[str]:
    tree = ast.parse(source)
    aliases = dict.fromkeys(scoped)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in scoped and alias.asname:
                    aliases[alias.asname] = alias.name
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr in MANAGERS):
            continue
        value = node.value
        name = (
            value.id
            if isinstance(value, ast.Name)
            else value.attr
            if isinstance(value, ast.Attribute)
            else None
        )
        if name in aliases:
            found.append(f"line {node.lineno}: {aliases[name] or name}.{node.attr}")
        elif isinstance(value, ast.Call) and getattr(value.func, "id", "") in ("type",):
            found.append(f"line {node.lineno}: type(…).{node.attr}")
    return found


def test_the_scoped_models_are_known():
    assert {"Person", "PersonEvent", "OrgUnit", "School", "Authorization"} <= scoped_model_names()


def test_interface_modules_exist():
    names = {p.relative_to(ROOT).as_posix() for p in interface_modules()}
    assert {"people/views.py", "people/org_views.py", "orgs/calendar_views.py", "interorg/views.py"} <= names


@pytest.mark.parametrize("path", interface_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_view_or_api_module_uses_a_scoped_manager(path):
    found = violations(path.read_text(encoding="utf-8"), scoped_model_names())
    assert not found, (
        f"{path.relative_to(ROOT)} dùng trực tiếp manager của model có phạm vi "
        f"(hãy gọi một hàm trong queries.py): {found}"
    )


@pytest.mark.parametrize(
    "source",
    [
        "Person.objects.all()",
        "from ketnap.people import models\nmodels.PersonEvent.objects.filter(x=1)",
        "from ketnap.orgs.models import OrgUnit as U\nU.objects.get(pk=1)",
        "School._default_manager.all()",
        "Authorization.objects.visible_to(user)",
    ],
)
def test_the_checker_catches_direct_use(source):
    assert violations(source, scoped_model_names())


def test_the_checker_allows_query_helpers():
    source = "from ketnap.people import queries\nqueries.persons_for(request.user)\nUser.objects.all()"
    assert violations(source, scoped_model_names()) == []
