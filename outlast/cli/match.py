"""``outlast match``: history matching, the plausible ensemble of futures (docs/HISTORY_MATCHING.md).

It reads a history-matching file (runs/history_matching.toml), runs its waves on the sweeps'
engine (a local pool or a Dask cluster; each wave's runs are kept with a manifest in
``--out``/wave-K/runs, so running the same command again resumes), and writes the ensemble
(``runs/ensembles/plausible.csv`` and its ``.json`` provenance, or ``--ensemble``) and the report
(``--out``/report.md and CSV tables).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from outlast.cli.common import (
    UsageError,
    add_backend_arguments,
    add_output_arguments,
    positive_int,
    print_json,
    stops_resumably,
)

#: Most waves one command runs.
MAX_WAVES = 10


def add_command(sub: Any) -> None:
    """Add ``outlast match`` to the CLI's subparsers."""
    cmd = sub.add_parser(
        "match", help="history matching: keep the futures consistent with FACTS.md's figures"
    )
    cmd.add_argument("experiment", type=Path, help="the history-matching TOML file")
    cmd.add_argument(
        "--waves", type=positive_int, help="waves to run (default: one per entry of 'samples')"
    )
    add_backend_arguments(cmd, "local processes (default: CPUs)")
    cmd.add_argument(
        "--out", type=Path, help="directory for the waves' runs and the report (runs/output/NAME)"
    )
    cmd.add_argument(
        "--ensemble", type=Path, help="ensemble CSV to write (default: the file's 'ensemble')"
    )
    add_output_arguments(cmd, "the waves' counts and the ensemble written as JSON")


def run(args: argparse.Namespace) -> int:
    """Check the file and flags, run the waves, write the ensemble and the report."""
    if args.waves is not None and args.waves > MAX_WAVES:
        raise UsageError(f"--waves {args.waves}: at most {MAX_WAVES}")
    from outlast.analysis.history_matching import load_match, run_waves, write_outputs
    from outlast.experiments.engine import make_backend
    from outlast.experiments.store import output_dir_problem

    config = load_match(args.experiment)
    out: Path = args.out or Path("runs/output") / config.spec.name
    ensemble_path: Path = args.ensemble or Path(config.spec.ensemble)
    for path in (out, ensemble_path.parent):
        problem = output_dir_problem(path)
        if problem:
            raise UsageError(problem)
    if ensemble_path.suffix != ".csv":
        raise UsageError(f"--ensemble '{ensemble_path}': the ensemble is a .csv file")
    waves = args.waves or len(config.spec.samples)
    backend = make_backend(args.workers, args.scheduler)
    try:
        with stops_resumably("match", out):
            quiet = args.quiet or args.json
            results = run_waves(config, waves, backend, out, progress=not quiet)
        info = write_outputs(config, results, out, ensemble_path, backend.describe())
    finally:
        backend.close()
    if args.json:
        print_json(
            {
                "waves": [
                    {
                        "wave": w.wave,
                        "points": len(w.table),
                        "runs": w.runs,
                        "plausible": int(w.table["plausible"].sum()),
                        "refocus": int(w.table["refocus"].sum()),
                    }
                    for w in results
                ],
                "futures": info["futures"],
                "points_run": info["points_run"],
                "ensemble": str(ensemble_path),
                "report": str(out / "report.md"),
            }
        )
        return 0
    for w in results:
        print(
            f"wave {w.wave}: {len(w.table)} points, {w.runs} runs ({w.session_runs} run now; "
            f"{w.seconds:.0f} s for {w.runs_now} over all sessions); "
            f"{int(w.table['plausible'].sum())} plausible, "
            f"{int(w.table['refocus'].sum())} pass the refocusing rule"
        )
    if len(results) < waves:
        print(f"stopped after wave {len(results)}: no point passed the refocusing rule")
    print(
        f"{info['futures']} plausible futures of {info['points_run']} points: {ensemble_path} "
        f"(provenance {ensemble_path.with_suffix('.json')}); report {out}/report.md"
    )
    return 0
