"""The rule book stays pure: no Django, no clock."""

import ast
import pathlib

import ketnap.rules

ROOT = pathlib.Path(ketnap.rules.__file__).parent
SOURCES = sorted(ROOT.rglob("*.py"))


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_no_module_of_the_rule_book_imports_django():
    assert len(SOURCES) >= 8
    offenders = {
        str(path.relative_to(ROOT)): name
        for path in SOURCES
        for name in imported_modules(path)
        if name == "django"
        or name.startswith("django.")
        or name.startswith("ketnap.")
        and "rules" not in name
    }
    assert offenders == {}


def test_nothing_reads_the_clock():
    for path in SOURCES:
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                assert node.attr not in ("today", "now", "utcnow", "time", "localtime"), (path, node.lineno)
