"""The submit path is the only place a request commits or turns a marshmallow `ValidationError`
into a refusal: no page or API module does either itself (network/core/submit.py)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("network", "tenants")


def _view_modules():
    """Every `*views*.py`, and any other module that defines a blueprint (pages, API, health)."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            if "views" in path.name or "Blueprint(" in path.read_text(encoding="utf-8"):
                yield path


def _names(node):
    """The exception names an `except` clause catches (`A`, `m.A`, `(A, B)`)."""
    if node is None:
        return []
    if isinstance(node, ast.Tuple):
        return [name for element in node.elts for name in _names(element)]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.Name):
        return [node.id]
    return []


def _offences(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("commit", "rollback")):
            yield node.lineno, f".{node.func.attr}()"
        if isinstance(node, ast.ExceptHandler) and "ValidationError" in _names(node.type):
            yield node.lineno, "except ValidationError"


def test_the_views_modules_are_found():
    found = {path.relative_to(ROOT).as_posix() for path in _view_modules()}
    assert {"network/core/accounts/views.py", "tenants/participants/views.py", "network/national/api/views.py",
            "tenants/portal/views.py"} <= found


def test_no_view_module_commits_rolls_back_or_catches_validation_errors():
    offences = [f"{path.relative_to(ROOT).as_posix()}:{line}: {what}"
                for path in _view_modules() for line, what in _offences(path)]
    assert offences == [], "use network.core.submit.submit(...) instead:\n" + "\n".join(offences)
