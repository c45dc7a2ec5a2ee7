"""The three floors (docs/CONTRIBUTING.md): `network.core` < `tenants` < `network.national`.

Every import (at the top of a module or inside a function: `ast` sees both) must go to the same
floor or a lower one; no two modules may import each other, directly or round a circle; a views
module never imports another package's views (what two pages share belongs in a service)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP_PACKAGES = ("config", "network", "tenants")
# Longest prefix first. `network` itself (its __init__) and `config` are below everything.
FLOORS = (("network.national", 2), ("tenants", 1), ("network.core", 0), ("network", 0), ("config", 0))
FLOOR_NAMES = {0: "core", 1: "tenants", 2: "national"}


def modules_under(root, top_packages=TOP_PACKAGES):
    """{dotted name: path} of every Python module under the top packages (migrations excluded:
    Alembic loads them by path, nothing imports them)."""
    found = {}
    for top in top_packages:
        for path in sorted((Path(root) / top).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imported_names(node, module, is_package):
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([base] if base else []))
    # `from a import b` names module a.b when b is one, else a name defined in a.
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


def import_graph(root, top_packages=TOP_PACKAGES):
    """{module: set of our modules it imports}, imports inside functions included."""
    modules = modules_under(root, top_packages)

    def ours(name):
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for module, path in modules.items():
        edges = graph.setdefault(module, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            names = _imported_names(node, module, path.name == "__init__.py")
            if isinstance(node, ast.ImportFrom):
                submodules = [n for n in names[:-1] if n in modules]
                targets = submodules if len(submodules) == len(names) - 1 else submodules + [ours(names[-1])]
            else:
                targets = [ours(name) for name in names]
            edges.update(t for t in targets if t and t != module)
    return graph


def floor(module):
    for prefix, level in FLOORS:
        if module == prefix or module.startswith(prefix + "."):
            return level
    raise ValueError(f"{module} is on no floor")


def _is_views(module):
    leaf = module.rpartition(".")[2]
    return leaf == "views" or leaf.endswith("_views")


def _package(module):
    return module.rpartition(".")[0]


def upward_imports(graph):
    return sorted(f"{a} ({FLOOR_NAMES[floor(a)]}) imports {b} ({FLOOR_NAMES[floor(b)]})"
                  for a, targets in graph.items() for b in targets if floor(b) > floor(a))


def views_importing_views(graph):
    return sorted(f"{a} imports {b}" for a, targets in graph.items() if _is_views(a)
                  for b in targets if _is_views(b) and _package(a) != _package(b))


def circles(graph):
    """The strongly connected components of more than one module (Tarjan; the recursion is as deep
    as the longest import chain, a few dozen modules)."""
    index, low, stack, found = {}, {}, [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        for child in sorted(graph.get(node, ())):
            if child not in index:
                visit(child)
                low[node] = min(low[node], low[child])
            elif child in stack:
                low[node] = min(low[node], index[child])
        if low[node] == index[node]:
            component = stack[stack.index(node):]
            del stack[stack.index(node):]
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def problems(root, top_packages=TOP_PACKAGES):
    graph = import_graph(root, top_packages)
    return (upward_imports(graph) + views_importing_views(graph)
            + [" <-> ".join(circle) for circle in circles(graph)])


def test_the_tree_keeps_its_floors():
    assert problems(ROOT) == []


def test_every_module_is_on_a_floor():
    for module in modules_under(ROOT):
        floor(module)


def _write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


CLEAN_TREE = {
    "network/__init__.py": "",
    "network/core/__init__.py": "",
    "network/core/extensions.py": "",
    "network/core/submit.py": "from network.core.extensions import *\n",
    "network/national/__init__.py": "",
    "network/national/app.py": "def create_app():\n    from tenants.notes import views\n",
    "tenants/__init__.py": "",
    "tenants/notes/__init__.py": "",
    "tenants/notes/models.py": "from network.core.extensions import *\n",
    "tenants/notes/services.py": "from network.core import submit\nfrom tenants.notes.models import *\n",
    "tenants/notes/views.py": "from . import services\nfrom .services import *\n",
    "tenants/tasks/__init__.py": "",
    "tenants/tasks/views.py": "from tenants.notes import services\n",
}


def test_a_clean_synthetic_tree_passes(tmp_path):
    _write(tmp_path, CLEAN_TREE)
    assert problems(tmp_path) == []


def test_a_deliberate_upward_import_is_caught_even_inside_a_function(tmp_path):
    _write(tmp_path, {**CLEAN_TREE, "network/core/submit.py": (
        "from network.core.extensions import *\n\n\ndef submit():\n    from tenants.notes.models import x\n")})
    assert problems(tmp_path) == ["network.core.submit (core) imports tenants.notes.models (tenants)"]


def test_a_tenant_feature_importing_the_roof_is_caught(tmp_path):
    _write(tmp_path, {**CLEAN_TREE, "tenants/tasks/services.py": "import network.national.app\n"})
    assert problems(tmp_path) == ["tenants.tasks.services (tenants) imports network.national.app (national)"]


def test_a_circle_is_caught(tmp_path):
    _write(tmp_path, {**CLEAN_TREE, "network/core/extensions.py": "def f():\n    from network.core import submit\n"})
    assert problems(tmp_path) == ["network.core.extensions <-> network.core.submit"]


def test_a_view_importing_another_packages_view_is_caught(tmp_path):
    _write(tmp_path, {**CLEAN_TREE, "tenants/tasks/views.py": "from tenants.notes.views import bp\n"})
    assert problems(tmp_path) == ["tenants.tasks.views imports tenants.notes.views"]
