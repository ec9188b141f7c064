"""The shape of the house (docs/architecture.md), enforced: views load, check, call one
operation and commit; rule modules change and flush but never commit; roles are compared in
permissions.py only."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "actieoverleg"
VIEWS = sorted((PACKAGE / "views").glob("*.py"))
# Modules that run their own transactions by design, not operations: the outbox's sender claims
# each message in a commit of its own before a byte goes out; the CLI commands and the bulk
# national demo loader are the callers that commit.
OWN_TRANSACTIONS = {"outbox.py", "cli.py", "demo_national.py"}
RULE_MODULES = sorted(p for p in PACKAGE.glob("*.py") if p.name not in OWN_TRANSACTIONS)


def calls(path: Path) -> list[str]:
    """Every call in a module as dotted text, e.g. 'audit.record' or 'db.session.commit'."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            found.append(ast.unparse(node.func))
    return found


def imported(path: Path) -> set[str]:
    """The package modules a view imports from (`from .. import x`, `from ..x import y`)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 2:  # from the package, not a sibling view
            names |= {node.module.rsplit(".", 1)[-1]} if node.module else {a.name for a in node.names}
    return names


@pytest.mark.parametrize("view", VIEWS, ids=lambda p: p.name)
def test_views_leave_consequences_to_the_operations(view):
    forbidden = [
        c for c in calls(view) if c in ("audit.record", "db.session.delete") or c.startswith(("mail.", "outbox."))
    ]
    assert forbidden == [], f"{view.name} does itself what an operation must own: {forbidden}"
    assert not {"mail", "outbox"} & imported(view), f"{view.name} imports mail or outbox"


@pytest.mark.parametrize("module", RULE_MODULES, ids=lambda p: p.name)
def test_rule_modules_never_commit(module):
    assert "db.session.commit" not in calls(module) and "session.commit" not in calls(module), (
        f"{module.name} commits: an operation flushes, its caller commits"
    )


def test_roles_are_compared_in_permissions_only():
    """`Role.x` may name a role anywhere (forms, demo, vocab); comparing one decides access."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "permissions.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare) and any(
                isinstance(side, ast.Attribute)
                and side.attr == "role"
                and not ast.unparse(side.value)[:1].isupper()  # `User.role == …` is a SQL filter
                for side in (node.left, *node.comparators)
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


def test_templates_compare_no_roles():
    """Templates get booleans from the view; they may show a role's label, never test it."""
    templates = PACKAGE / "templates"
    test = re.compile(r"\.role\s*(==|!=|\bis\b|\bin\b)")
    assert [str(p.relative_to(templates)) for p in templates.rglob("*.html") if test.search(p.read_text())] == []
