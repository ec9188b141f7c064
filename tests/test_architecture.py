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
TEMPLATES = PACKAGE / "templates"
# Folders every blueprint (and the mail) draws on; base.html sits beside them. Every other folder is
# one blueprint's, named after it (docs/architecture.md).
SHARED_TEMPLATES = {"errors", "emails", "macros"}
TEMPLATE_NAME = re.compile(r"[a-z_]+/[\w*]+\.(html|txt)")
# Modules that run their own transactions by design, not operations: the outbox's sender claims
# each message in a commit of its own before a byte goes out; the CLI commands and the bulk
# national demo loader are the callers that commit; the error handlers commit the audit entry of
# a refused request, whose view never got to its commit.
OWN_TRANSACTIONS = {"outbox.py", "cli.py", "demo_national.py", "errors.py"}
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


def blueprint_name(path: Path) -> str | None:
    """The name in a view module's `Blueprint("name", …)`; None for a helper module."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "Blueprint":
            return node.args[0].value
    return None


BLUEPRINTS = {path: name for path in VIEWS if (name := blueprint_name(path))}


def template_names(path: Path) -> list[str]:
    """Every template a module names, wherever the name goes (render_template,
    redirect_or_fragment, a variable first); an f-string's placeholders read as `*`."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.JoinedStr):
            text = "".join(part.value if isinstance(part, ast.Constant) else "*" for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if TEMPLATE_NAME.fullmatch(text):
            names.append(text)
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


@pytest.mark.parametrize("view", BLUEPRINTS, ids=lambda p: p.name)
def test_views_render_the_templates_of_their_own_blueprint(view):
    names = template_names(view)
    own = {BLUEPRINTS[view], *SHARED_TEMPLATES}
    assert [n for n in names if n.split("/")[0] not in own] == [], (
        f"{view.name} renders templates outside templates/{BLUEPRINTS[view]}/"
    )
    assert [n for n in names if not any(TEMPLATES.glob(n))] == [], f"{view.name} names a template that is not there"


def test_every_template_folder_belongs_to_a_blueprint():
    """A folder is shared, or the one of a blueprint that renders from it."""
    folders = {p.name for p in TEMPLATES.iterdir() if p.is_dir()} - SHARED_TEMPLATES
    rendered = {n.split("/")[0] for view in BLUEPRINTS for n in template_names(view)}
    assert folders - set(BLUEPRINTS.values()) == set(), "template folders no blueprint is named after"
    assert folders - rendered == set(), "template folders their blueprint never renders from"


def test_templates_emit_csrf_through_the_macro():
    """A form without a WTForms form carries `{{ csrf() }}` (macros/forms.html); the token is read
    in that macro and in base.html's hx-headers (the header htmx sends) only."""
    files = {str(p.relative_to(TEMPLATES)): p.read_text() for p in sorted(TEMPLATES.rglob("*")) if p.is_file()}
    assert [name for name, text in files.items() if 'name="csrf_token"' in text and name != "macros/forms.html"] == []
    readers = {name: text.count("csrf_token()") for name, text in files.items() if "csrf_token()" in text}
    assert readers == {"base.html": 1, "macros/forms.html": 1}
    assert """<body hx-headers='{"X-CSRFToken": "{{ csrf_token() }}"}'>""" in files["base.html"]
