"""``outlast rerun``: rerun one run of a sweep from its stored scenario and seed, and check it.

It prints whether the rerun matches the stored results bit for bit, or lists what differs, and
which distributions the model runs on are installed in other versions than the sweep's. Exit
status 0 only for a bit-for-bit match under the sweep's installation; 1 when anything differs
(numbers or installation); 2 for a bad directory or run id.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from model.seeds import parse_whole_number
from outlast.cli.common import UsageError, add_output_arguments, print_json
from outlast.exit_codes import EXIT_FAILED, EXIT_OK


def run_id_argument(text: str) -> int:
    """An argparse type: a run id, a whole number from 0."""
    from model.scenario import ScenarioError

    try:
        return parse_whole_number(text, 0, what="run id")
    except ScenarioError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_command(sub: Any) -> None:
    """Add ``outlast rerun`` to the CLI's subparsers."""
    cmd = sub.add_parser(
        "rerun", help="rerun one run of a sweep or validation; check it matches bit for bit"
    )
    cmd.add_argument(
        "output_dir", type=Path, help="the sweep's output directory (or validate's --out)"
    )
    cmd.add_argument("run_id", type=run_id_argument, help="the run's run_id in results.parquet")
    cmd.add_argument(
        "--out", type=Path, help="also write the rerun's tables there, as `outlast run` does"
    )
    add_output_arguments(cmd, "the comparison as JSON")


def run(args: argparse.Namespace) -> int:
    """Rerun the run, compare, print the verdict; write the rerun's files if --out is given."""
    from outlast.experiments.store import output_dir_problem

    if args.out is not None:
        problem = output_dir_problem(args.out)
        if problem:
            raise UsageError(problem)
    # Imported once the arguments parse: the engine loads the model, pandas and pyarrow.
    from tqdm import tqdm

    from outlast.experiments.rerun import load_run, rerun

    stored = load_run(args.output_dir, args.run_id)  # a bad directory or id: one line, exit 2
    manifest = None
    if args.out is not None:
        from outlast.cli.run import check_output_dir

        manifest = rerun_manifest(stored)
        check_output_dir(args.out, manifest)
    weeks = stored.scenario.horizon_weeks
    progress = not (args.quiet or args.json)
    with tqdm(total=weeks, unit="wk", disable=not progress, leave=False) as bar:
        report = rerun(stored, on_week=lambda _: bar.update(1))
    if args.out is not None and report.result is not None and manifest is not None:
        from outlast.cli.run import write_run

        manifest["rerun"] = report.to_json()
        write_run(args.out, report.result, manifest)
    if args.json:
        print_json({**report.to_json(), "out": str(args.out) if args.out else None})
    else:
        print_text(report, args.quiet, args.out)
    print_warnings(report, args.quiet or args.json)
    return EXIT_OK if report.reproduced else EXIT_FAILED


def rerun_manifest(stored: Any) -> dict[str, Any]:
    """The manifest of a rerun written with --out: the scenario, the seed, where they came from."""
    from outlast.experiments.store import provenance

    return {
        "kind": "rerun",
        "scenario": stored.scenario.model_dump(mode="json"),
        "seed": stored.seed,
        "source": {
            "directory": str(stored.root),
            "experiment": stored.manifest.get("name"),
            "run_id": stored.run_id,
            "point_id": stored.point_id,
            "seed_index": stored.seed_index,
        },
        **provenance(),
    }


def print_text(report: Any, quiet: bool, out: Path | None) -> None:
    """The verdict for people: a header, then "matches bit for bit" or the differences."""
    run = report.run
    if not quiet:
        print(
            f"run {run.run_id} of '{run.manifest.get('name')}' in {run.root}/ (design point "
            f"{run.point_id}, seed index {run.seed_index}, seed {run.seed}, scenario sha256 "
            f"{run.scenario_sha256[:12]})"
        )
    if report.matches:
        print("matches bit for bit")
    else:
        print(f"does not match: {len(report.differences)} difference(s)")
        for line in report.differences:
            print(f"  {line}")
    if out is not None and report.result is None:
        print(f"the rerun raised {report.error}; nothing written to {out}/")
    elif out is not None and not quiet:
        print(f"rerun written to {out}/")


def print_warnings(report: Any, quiet: bool) -> None:
    """On stderr, also with --json: a changed installation (an error), notes unless `quiet`."""
    if report.installation:
        changed = ", ".join(
            f"{d['name']} {d['sweep']} in the sweep, {d['now']} here" for d in report.installation
        )
        print(
            f"outlast rerun: error: the installation differs from the sweep's: {changed}; its "
            "results are only promised to repeat with the same versions",
            file=sys.stderr,
        )
    if quiet:
        return
    for note in report.run.notes:
        print(f"outlast rerun: note: {note}", file=sys.stderr)
    if report.commit["sweep"] != report.commit["now"]:
        print(
            f"outlast rerun: note: the sweep was made at commit {report.commit['sweep']}, "
            f"this tree is at {report.commit['now']}",
            file=sys.stderr,
        )
