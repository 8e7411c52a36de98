"""Input is parsed, never executed, and nothing written escapes the chosen output directory.

The source of every package is scanned for the ways Python runs data as code (eval, exec,
compile, pickle and marshal loads, YAML's full loader, a shell): none may appear. TOML is read
with tomllib only. Experiment names, which become directory names, are one path component.
"""

import ast
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outlast.experiments.design import ExperimentError, load_experiment
from outlast.experiments.engine import default_output

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("outlast", "model", "agents", "dashboards")
#: Modules whose load/loads run code (yaml.load without a safe loader, pickle, marshal, shelve).
FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "cloudpickle", "marshal", "shelve", "yaml"}


def sources() -> list[Path]:
    return [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]


def test_no_source_runs_data_as_code():
    found = []
    for path in sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        name = path.relative_to(ROOT)
        for node in ast.walk(tree):
            where = f"{name}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names]
                modules = [node.module] if isinstance(node, ast.ImportFrom) else names
                if any((m or "").split(".")[0] in FORBIDDEN_MODULES for m in modules):
                    found.append(f"{where} imports {modules}")
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                owner = getattr(func, "value", None)
                owner_name = getattr(owner, "id", "")
                if name in ("eval", "exec", "compile", "__import__") and isinstance(func, ast.Name):
                    found.append(f"{where} calls {name}()")
                if owner_name == "os" and name in ("system", "popen"):
                    found.append(f"{where} calls os.{name}()")
                if owner_name in ("pd", "pandas") and name == "read_pickle":
                    found.append(f"{where} calls {owner_name}.read_pickle()")
                for keyword in node.keywords:
                    if keyword.arg == "shell" and getattr(keyword.value, "value", False):
                        found.append(f"{where} runs a shell")
    assert sources(), "no source found"
    assert not found, found


def test_toml_is_read_with_tomllib_only():
    readers = set()
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                is_from = isinstance(node, ast.ImportFrom)
                modules = [node.module] if is_from else [a.name for a in node.names]
                readers |= {m for m in modules if m and "toml" in m.lower()}
    assert readers == {"tomllib"}


NAME_FILE = 'name = {name}\nseeds = 1\nmaster_seed = 1\n[design]\nkind = "presets"\n'
NAME_FILE += 'presets = ["baseline"]\n[keep]\nfinal = ["war_ended"]\n'
PATHS = st.one_of(
    st.sampled_from(["..", ".", "../x", "a/../../b", "/etc", "~root", "a/b", "a\\\\b", "x\\u0000"]),
    st.text(st.characters(codec="utf-8", exclude_characters='"\\\n\r'), max_size=12),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=PATHS)
def test_an_experiment_name_cannot_lead_outside_the_output_directory(tmp_path, name):
    path = tmp_path / "exp.toml"
    path.write_text(NAME_FILE.format(name=f'"{name}"'), encoding="utf-8")
    try:
        exp = load_experiment(path)
    except ExperimentError as exc:
        assert "\n" not in str(exc)
        return
    out = default_output(exp, None)
    assert out.parent == Path("runs/output") and out.name == exp.name
    assert (tmp_path / out).resolve().parent == (tmp_path / "runs/output").resolve()
