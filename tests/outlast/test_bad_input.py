"""Bad input at every entry point: one line naming what is wrong, exit status 2, nothing written.

Every class of bad input of issue 8 (out-of-range and wrong-type values, unknown keys, malformed
or empty TOML, a design with no points, a bad scheduler address, an output directory that is a
file or not writable, a directory of another experiment) is tried on every command that takes
it. The cases run in this process through `outlast.cli.main` (an uncaught exception fails the
test, so "no traceback" is checked too), and a sample runs through the real console script.
Hypothesis then feeds mutated experiment and scenario files to the loaders.
"""

import contextlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from model.model import OutlastModel
from model.scenario import ScenarioError, load_scenario
from outlast.cli import main
from outlast.experiments.design import MAX_RUNS, ExperimentError, load_experiment
from outlast.experiments.engine import LocalBackend, run_sweep

EXPERIMENT = """\
name = "tiny"
seeds = 2
master_seed = 3
[parameters]
n_soldier_agents = 200
n_elites = 30
citizens_per_region = 20
horizon_weeks = 2
[design]
kind = "grid"
[design.parameters.western_resolve]
values = [0.2, 0.8]
[keep]
final = ["force_active", "war_ended"]
weekly = ["unrest"]
"""
SMALL_RUN = ["--weeks", "1", "--quiet"] + [
    arg
    for kv in ("n_soldier_agents=200", "n_elites=30", "citizens_per_region=20")
    for arg in ("--set", kv)
]


def cli(*args: str) -> tuple[int, str, str]:
    """Run `outlast ARGS` in this process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's errors
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under `root` with its size and modification time."""
    return {
        str(p.relative_to(root)): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just released by the kernel)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def read_only_dir(path: Path):
    """A directory no one may write: a read-only tmpfs for root (who ignores modes), else 0555."""
    path.mkdir()
    if os.geteuid() != 0:
        path.chmod(0o555)
        yield path
        path.chmod(0o755)
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(path)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"root cannot mount a read-only tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    """A workspace: good and bad files, finished and foreign outputs, a read-only directory."""
    root = tmp_path_factory.mktemp("ws")
    (root / "exp.toml").write_text(EXPERIMENT)
    (root / "afile").write_text("keep me")
    (root / "empty.toml").write_text("   \n")
    (root / "malformed.toml").write_text("seeds = [\n")
    (root / "binary.toml").write_bytes(b"\xff\xfe\x00\x01")
    (root / "foreign").mkdir()
    (root / "foreign" / "notes.txt").write_text("mine")
    exp = load_experiment(root / "exp.toml")
    run_sweep(exp, root / "done", LocalBackend(1), progress=False)
    other = load_experiment(root / "exp.toml", seeds=1)
    run_sweep(other, root / "other", LocalBackend(1), progress=False)
    unfinished = root / "unfinished"
    shutil.copytree(root / "done", unfinished)
    manifest = json.loads((unfinished / "manifest.json").read_text())
    (unfinished / "manifest.json").write_text(json.dumps({**manifest, "complete": False}))
    damaged = root / "damaged"
    shutil.copytree(root / "done", damaged)
    results = damaged / "results.parquet"
    results.write_bytes(results.read_bytes()[:100])
    reported = root / "reportfile"
    shutil.copytree(root / "done", reported)
    (reported / "report").write_text("not a directory")
    linked = root / "linked"
    shutil.copytree(root / "other", linked)
    (root / "elsewhere").mkdir()
    (linked / "parts").symlink_to(root / "elsewhere")
    assert cli("run", "--out", root / "a-run", "--seed", "1", *SMALL_RUN)[0] == 0
    with read_only_dir(root / "readonly") as readonly:
        yield root, readonly


def experiment_with(ws_root: Path, name: str, body: str) -> Path:
    path = ws_root / name
    if not path.exists():
        path.write_text(textwrap.dedent(body))
    return path


HEAD = "seeds = 1\nmaster_seed = 1\n"
GRID = '[design]\nkind = "grid"\n[design.parameters.western_resolve]\nvalues = [0.5]\n'
KEEP = '[keep]\nfinal = ["war_ended"]\n'
BAD_EXPERIMENTS = {
    "out_of_range.toml": HEAD + "[parameters]\nlegitimacy = 1.5\n" + GRID + KEEP,
    "wrong_type.toml": 'seeds = "2"\nmaster_seed = 1\n' + GRID + KEEP,
    "wrong_type_value.toml": HEAD + GRID.replace("[0.5]", '["0.5"]') + KEEP,
    "unknown_key.toml": HEAD + 'colour = "red"\n' + GRID + KEEP,
    "unknown_parameter.toml": HEAD + GRID.replace("western", "westen") + KEEP,
    "no_points.toml": HEAD + GRID.replace("[0.5]", "[]") + KEEP,
    "no_presets.toml": HEAD + '[design]\nkind = "presets"\npresets = []\n' + KEEP,
    "huge.toml": HEAD.replace("seeds = 1", "seeds = 1000")
    + '[design]\nkind = "lhs"\nsamples = 100000\n[design.parameters.western_resolve]\n'
    "range = [0, 1]\n" + KEEP,
    "bad name.toml": HEAD + GRID + KEEP,
}


def case_args(ws_root: Path, readonly: Path, args: list[str]) -> list[str]:
    """Fill the placeholders of a case's arguments with the workspace's paths."""
    places = {
        "{ws}": str(ws_root),
        "{readonly}": str(readonly),
        "{port}": str(free_port()),
    }
    filled = []
    for arg in args:
        for key, value in places.items():
            arg = arg.replace(key, value)
        filled.append(arg)
    for name, body in BAD_EXPERIMENTS.items():
        experiment_with(ws_root, name, body)
    return filled


EXP = "{ws}/exp.toml"
CASES = [
    # outlast run
    ("run", ["--set", "legitimacy=1.5"], "parameter 'legitimacy' = 1.5 is not allowed: 0 to 1"),
    ("run", ["--weeks", "2000"], "parameter 'horizon_weeks' = 2000 is not allowed"),
    ("run", ["--set", "horizon_weeks=true"], "= True is not allowed: a whole number, 1 to 1040"),
    ("run", ["--set", 'western_resolve="0.5"'], "= '0.5' is not allowed: a number, 0 to 1"),
    ("run", ["--set", "nonsense=1"], "unknown parameter 'nonsense'"),
    ("run", ["--config", "{ws}/malformed.toml"], "is not valid TOML"),
    ("run", ["--config", "{ws}/empty.toml"], "is empty"),
    ("run", ["--config", "{ws}/binary.toml"], "is not a UTF-8 text file"),
    ("run", ["--config", "{ws}/foreign"], "cannot read"),
    ("run", ["--config", "{ws}/missing.toml"], "cannot read"),
    ("run", ["--seed", "-1"], "seed -1 must be in 0 .. 2^63-1"),
    ("run", ["--out", "{ws}/afile"], "is a file, not a directory"),
    ("run", ["--out", "{ws}/afile/sub"], "'{ws}/afile' is a file, not a directory"),
    ("run", ["--out", "{readonly}/r"], "output directory '{readonly}' is not writable"),
    ("run", ["--out", "{ws}/a-run", "--seed", "2"], "holds another run"),
    ("run", ["--out", "{ws}/foreign"], "holds another run"),
    # outlast params
    ("params", ["--format", "xml"], "invalid choice: 'xml'"),
    # outlast validate
    ("validate", ["--set", "legitimacy=2"], "parameter 'legitimacy' = 2 is not allowed"),
    ("validate", ["--set", "horizon_weeks=1.5"], "is not allowed: a whole number"),
    ("validate", ["--set", "nonsense=1"], "unknown parameter 'nonsense'"),
    ("validate", ["--only", "nope"], "unknown validation check 'nope'"),
    ("validate", ["--seeds", "0"], "'0' must be at least 1"),
    ("validate", ["--out", "{ws}/afile"], "is a file, not a directory"),
    ("validate", ["--out", "{ws}/afile/v"], "is a file, not a directory"),
    ("validate", ["--out", "{readonly}/v"], "is not writable"),
    # outlast sweep
    ("sweep", ["{ws}/out_of_range.toml"], "parameter 'legitimacy' = 1.5 is not allowed"),
    ("sweep", ["{ws}/wrong_type.toml"], "'seeds' = '2': Input should be a valid integer"),
    ("sweep", ["{ws}/wrong_type_value.toml"], "= '0.5' is not allowed: a number"),
    ("sweep", ["{ws}/unknown_key.toml"], "unknown key 'colour'"),
    ("sweep", ["{ws}/unknown_parameter.toml"], "did you mean 'western_resolve'"),
    ("sweep", ["{ws}/malformed.toml"], "is not valid TOML"),
    ("sweep", ["{ws}/empty.toml"], "is empty"),
    ("sweep", ["{ws}/missing.toml"], "cannot read"),
    ("sweep", ["{ws}/no_points.toml"], "values is empty"),
    ("sweep", ["{ws}/no_presets.toml"], "needs design.presets"),
    ("sweep", ["{ws}/huge.toml"], f"at most {MAX_RUNS:,} in one experiment"),
    ("sweep", [EXP, "--seeds", "600000"], f"at most {MAX_RUNS:,} in one experiment"),
    ("sweep", ["{ws}/bad name.toml"], "cannot name an output directory"),
    ("sweep", [EXP, "--workers", "0"], "'0' must be at least 1"),
    ("sweep", [EXP, "--scheduler", "notanaddress"], "is not an address like tcp://HOST:PORT"),
    ("sweep", [EXP, "--scheduler", "tcp://127.0.0.1"], "is not an address like tcp://HOST:PORT"),
    ("sweep", [EXP, "--scheduler", "tcp://127.0.0.1:{port}"], "cannot reach the Dask scheduler"),
    ("sweep", [EXP, "--out", "{ws}/afile"], "is a file, not a directory"),
    ("sweep", [EXP, "--out", "{ws}/afile/s"], "is a file, not a directory"),
    ("sweep", [EXP, "--out", "{readonly}/s"], "is not writable"),
    ("sweep", [EXP, "--out", "{ws}/other"], "holds another experiment ('tiny'"),
    ("sweep", [EXP, "--out", "{ws}/foreign", "--overwrite"], "holds no sweep"),
    ("sweep", [EXP, "--out", "{ws}/linked", "--overwrite"], "is a symbolic link"),
    # outlast report
    ("report", ["{ws}/nowhere"], "holds no sweep"),
    ("report", ["{ws}/afile"], "holds no sweep"),
    ("report", ["{ws}/foreign"], "holds no sweep"),
    ("report", ["{ws}/unfinished"], "is not finished"),
    ("report", ["{ws}/damaged"], "cannot read the results"),
    ("report", ["{ws}/reportfile"], "is a file, not a directory"),
    # no command, or an unknown one
    (None, [], "the following arguments are required: COMMAND"),
    (None, ["bogus"], "invalid choice: 'bogus'"),
]


@pytest.mark.parametrize(
    ("command", "args", "message"),
    CASES,
    ids=[f"{c}-{' '.join(a)}" for c, a, _ in CASES],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(ws, monkeypatch, command, args, message):
    root, readonly = ws
    monkeypatch.chdir(root)  # default output directories would land in the workspace
    argv = case_args(root, readonly, ([command] if command else []) + args)
    before = snapshot(root)
    code, out, err = cli(*argv)
    assert code == 2, err
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    prefix = f"outlast {command}: error: " if command else "outlast: error: "
    assert err.startswith(prefix), err
    assert case_args(root, readonly, [message])[0] in err
    assert snapshot(root) == before


def test_bad_input_through_the_console_script_has_no_traceback(ws):
    """Cases through the installed `outlast` script, all at once (each one starts Python).

    An argparse error, a light command's error and a heavy one's (Dask and pandas loaded).
    """
    root, readonly = ws
    script = Path(sys.executable).parent / "outlast"
    sample = [
        ("params", ["--format", "xml"], "invalid choice: 'xml'"),
        ("run", ["--config", "{ws}/malformed.toml"], "is not valid TOML"),
        ("sweep", [EXP, "--scheduler", "tcp://127.0.0.1:{port}"], "cannot reach the Dask"),
    ]
    before = snapshot(root)
    procs = [
        subprocess.Popen(
            [script, *case_args(root, readonly, ([command] if command else []) + args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=root,
        )
        for command, args, _ in sample
    ]
    for proc, (command, _, message) in zip(procs, sample, strict=True):
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 2, (command, err)
        assert out == "" and err.count("\n") == 1 and "Traceback" not in err, (command, err)
        assert case_args(root, readonly, [message])[0] in err
    assert snapshot(root) == before


def test_an_interrupted_run_says_so_in_one_line(monkeypatch, tmp_path):
    import outlast.experiments.runner

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(outlast.experiments.runner, "run_simulation", interrupted)
    code, out, err = cli("run", "--out", tmp_path / "r", *SMALL_RUN)
    assert (code, out, err) == (130, "", "outlast run: interrupted\n")
    assert not (tmp_path / "r").exists()


def test_bad_model_keywords_are_one_line_scenario_errors():
    for kwargs, message in [
        ({"bogus": 1}, "unknown parameter 'bogus'"),
        ({"legitimacy": 2.0}, "parameter 'legitimacy' = 2.0 is not allowed"),
        ({"horizon_weeks": "10"}, "is not allowed: a whole number"),
        ({"share_mobilised": 0.8, "share_contract": 0.8}, "must be at most 1"),
    ]:
        with pytest.raises(ScenarioError, match=message) as err:
            OutlastModel(rng=1, **kwargs)
        assert "\n" not in str(err.value)


# ---- Mutated files ---------------------------------------------------------------------------

SCENARIO = """\
preset = "defection_fund"
start_date = 2023-01-02
horizon_weeks = 10
[parameters]
defection_payment_usd = 20000
western_resolve = 0.5
"""
LHS = """\
seeds = 2
master_seed = 3
[parameters]
n_soldier_agents = 200
[design]
kind = "lhs"
samples = 4
[design.parameters.exile_support]
range = [0.0, 1.0]
[design.parameters.n_elites]
range = [30, 60]
[keep]
final = ["stability_index"]
"""

KEYS = [
    "seeds",
    "master_seed",
    "preset",
    "name",
    "kind",
    "samples",
    "values",
    "range",
    "levels",
    "presets",
    "final",
    "weekly",
    "horizon_weeks",
    "western_resolve",
    "n_factions",
    "start_date",
    "bogus",
]


def toml_literal(depth: int = 0):
    """A TOML value of any type, including the awkward ones (nan, inf, huge ints, dates)."""
    scalars = st.one_of(
        st.integers(-5, 100).map(str),
        st.sampled_from(["0", "-1", "1000", "1000000", str(2**63 - 1), "-9223372036854775808"]),
        st.sampled_from(["nan", "inf", "-inf", "0.0", "1.5", "-0.5", "1e300", "1e-300"]),
        st.floats(-1e6, 1e6, allow_nan=False).map(repr),
        st.sampled_from(["true", "false", "2024-02-29", "1979-05-27T07:32:00Z"]),
        st.text(max_size=6).map(json.dumps),
        st.sampled_from(['"baseline"', '"grid"', '"lhs"', '"sobol"', '"presets"', '"unrest"']),
    )
    if depth >= 2:
        return scalars
    inner = toml_literal(depth + 1)
    return st.one_of(
        scalars,
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=2).map(
            lambda d: "{" + ", ".join(f"{k} = {v}" for k, v in d.items()) + "}"
        ),
    )


@st.composite
def mutated(draw, template: str) -> str:
    """The template with some lines dropped, some keys renamed and some values replaced."""
    lines = []
    for line in template.splitlines():
        action = draw(st.sampled_from(["keep"] * 6 + ["drop", "rename", "value"]))
        if action == "drop":
            continue
        if "=" in line and action == "rename":
            line = f"{draw(st.sampled_from(KEYS))} ={line.split('=', 1)[1]}"
        elif "=" in line and action == "value":
            line = f"{line.split('=', 1)[0]}= {draw(toml_literal())}"
        lines.append(line)
    return "\n".join(lines) + "\n"


FUZZ = settings(
    max_examples=settings.default.max_examples * 5,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(text=st.one_of(mutated(LHS), mutated(EXPERIMENT), st.text(max_size=200)))
def test_any_experiment_file_loads_or_is_refused_in_one_line(tmp_path, text):
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        exp = load_experiment(path)
    except ExperimentError as exc:
        assert "\n" not in str(exc) and str(exc)
        event("refused")
        return
    event("loaded")
    assert 0 < len(exp.runs) <= MAX_RUNS
    assert len(exp.scenarios) == len(exp.points)


@FUZZ
@given(text=st.one_of(mutated(SCENARIO), st.text(max_size=200)))
def test_any_scenario_file_loads_or_is_refused_in_one_line(tmp_path, text):
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_scenario(config=path)
    except ScenarioError as exc:
        assert "\n" not in str(exc) and str(exc)
        event("refused")
    else:
        event("loaded")
