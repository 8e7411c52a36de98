"""The Robustness tab: a robustness experiment's policies across futures, backfires, PRIM boxes.

It finds robustness experiments where the Sweeps tab finds sweeps (`views.sweeps_folder`:
the project's runs/output, or OUTLAST_SWEEPS_DIR) and shows the numbers of `outlast report`'s
robustness sections (`dashboards.robustness_data` computes them with the report's functions):
per policy, each outcome pooled over futures and seeds with its Wilson interval and its spread
across futures; the futures where it does clearly worse (backfire) or better than the
reference, with P(hard-line successor); and, for a chosen policy, PRIM's box over the futures.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import solara

from dashboards import robustness_charts as rcharts
from dashboards import robustness_data as rdata
from dashboards.views import Chart, sweeps_folder
from outlast.analysis.discovery import SIGNIFICANCE_RULE, PrimBox
from outlast.analysis.labels import axis_label
from outlast.analysis.robustness import ALPHA, SHARES
from outlast.analysis.tables import MIN_RUNS

#: What the tab says when the folder holds no robustness experiment: how to make one.
HOW_TO_ROBUSTNESS = (
    "A robustness experiment runs every policy on every future of the plausible ensemble with "
    "the same seeds (common random numbers): `outlast sweep runs/robustness.toml` writes "
    "`runs/output/robustness` (10 policies x 72 futures x 6 seeds, about half an hour on two "
    "cores) and `outlast report runs/output/robustness` its report. docs/ROBUSTNESS.md says "
    "what each measure means; runs/README.md what was found."
)


def table_html(table: pd.DataFrame, name: str) -> str:
    """A table of ready-made text cells as HTML, of class ``outlast-robustness-NAME``."""
    cell = "padding:2px 12px 2px 0;vertical-align:top"
    head = "".join(f"<th style='text-align:left;{cell}'>{html.escape(str(c))}</th>" for c in table)
    body = "".join(
        "<tr>" + "".join(f"<td style='{cell}'>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in table.itertuples(index=False)
    )
    return (
        f"<table class='outlast-robustness-table outlast-robustness-{name}' "
        "style='border-collapse:collapse;font-size:0.9em;margin:4px 0 8px'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def design_line(tables: rdata.RobustnessTables) -> str:
    """What was run, in one paragraph (the report's Design section, shortened)."""
    res = tables.results
    runs, failed = len(res.runs), int(res.failed.sum())
    reference = f"`{res.reference}`" if res.reference else "none"
    return (
        f"{len(res.policies)} policies x {res.n_futures} futures x {res.n_seeds} seeds: "
        f"{runs:,} finished runs ({failed} failed), horizon {res.horizon_weeks} weeks. "
        f"Reference policy: {reference}. A future's seed is the same under every policy "
        "(common random numbers)."
    )


def outcome_display(rows: pd.DataFrame) -> pd.DataFrame:
    """The outcome table as shown: the report's columns, and the small-sample flag."""
    return pd.DataFrame(
        {
            "policy": rows["policy"],
            "runs": rows["n_runs"],
            "futures": rows["n_futures"],
            "pooled [Wilson 95%]": rows["pooled_text"],
            "mean over futures [bootstrap 95%]": rows["mean_text"],
            "10% / 50% / 90% of futures": rows["quantiles_text"],
            "note": rows["small_sample"].map(
                {True: f"small sample: fewer than {MIN_RUNS} runs", False: ""}
            ),
        }
    )


def backfire_display(rows: pd.DataFrame) -> pd.DataFrame:
    """The backfire table as shown: futures worse and better, unclear, hard-line successor."""
    return pd.DataFrame(
        {
            "policy": rows["policy"],
            "worse: backfire (share [95%])": rows["worse_text"],
            "better (share [95%])": rows["better_text"],
            "no clear difference": rows["unclear"],
            "P(hard-line successor) [Wilson 95%]": rows["hardline_text"],
            "runs": rows["n_runs"],
            "gain in P(war ended): mean over futures": rows["gain_text"],
        }
    )


#: The experiment shown first when it is among those found: the project's main one.
MAIN_EXPERIMENT = "robustness"


def default_experiment(names: list[str]) -> str | None:
    """The experiment the tab opens on: the project's main one if present, else the first."""
    if MAIN_EXPERIMENT in names:
        return MAIN_EXPERIMENT
    return names[0] if names else None


@solara.component
def RobustnessView(root: str | None = None):
    """A robustness experiment chosen from a folder of sweeps, or how to make one."""
    folder, set_folder = solara.use_state(root or sweeps_folder())
    chosen, set_chosen = solara.use_state(None)
    names = rdata.find_robustness(Path(folder))
    name = chosen if chosen in names else default_experiment(names)
    loaded = solara.use_memo(
        lambda: rdata.load_tables(Path(folder) / name) if name else "", [folder, name]
    )
    solara.InputText("Folder of finished sweeps", value=folder, on_value=set_folder)
    if not names:
        solara.Info(
            f"No robustness experiment in '{folder}' (a finished sweep whose design kind is "
            "robustness)."
        )
        solara.Markdown(HOW_TO_ROBUSTNESS)
        return
    solara.Select("Robustness experiment", value=name, values=names, on_value=set_chosen)
    if isinstance(loaded, str):
        solara.Error(loaded)
    else:
        RobustnessResultsView(loaded)


@solara.component
def RobustnessResultsView(tables: rdata.RobustnessTables):
    """The three parts of the tab for one experiment."""
    solara.Markdown(design_line(tables))
    if tables.results.n_seeds <= 4:
        solara.Warning(
            f"With {tables.results.n_seeds} seeds a future cannot be judged better or worse "
            f"(the sign test's smallest p-value is {0.5**tables.results.n_seeds:.3g}, not below "
            f"{ALPHA}); use at least 5 seeds."
        )
    few = tables.distribution.loc[tables.distribution["n_runs"] < MIN_RUNS, "policy"].unique()
    if len(few):
        solara.Warning(
            f"Small sample: {', '.join(few)} rest on fewer than {MIN_RUNS} runs each; read "
            "their shares with their intervals.",
            classes=["outlast-small-sample"],
        )
    OutcomesPart(tables)
    BackfirePart(tables)
    DiscoveryPart(tables)


@solara.component
def OutcomesPart(tables: rdata.RobustnessTables):
    """Per policy: an outcome pooled over futures and seeds, and its spread across futures."""
    label, set_label = solara.use_state(next(iter(rdata.OUTCOME_CHOICES)))
    outcome = rdata.OUTCOME_CHOICES[label]
    heading = SHARES[outcome]
    rows = rdata.outcome_rows(tables, outcome)
    solara.Markdown("### Policies across futures")
    solara.Select("Outcome", value=label, values=list(rdata.OUTCOME_CHOICES), on_value=set_label)
    solara.Markdown(
        f"{heading} per policy. *Pooled*: the share of all its runs (every future and seed) "
        "with its Wilson 95% interval, which treats runs as independent and so understates how "
        "much the answer depends on the future. *Across futures*: each future's share of its "
        f"{tables.results.n_seeds} seeds; the mean over futures with a bootstrap interval "
        "(futures and seeds resampled), and the 10%, 50% and 90% points of those shares."
    )
    solara.HTML(tag="div", unsafe_innerHTML=table_html(outcome_display(rows), "outcomes"))
    Chart(rcharts.pooled_chart(rows, heading), "robustness-pooled")
    shares = rdata.future_shares(tables, outcome)
    Chart(rcharts.futures_chart(shares, rows, heading), "robustness-futures")


@solara.component
def BackfirePart(tables: rdata.RobustnessTables):
    """Per policy: futures where it is clearly worse (backfire) or better than the reference."""
    solara.Markdown("### Backfires: better or worse than the reference")
    if tables.comparison is None:
        solara.Info(
            "Not judged: the design names no reference policy (design.reference, or a policy "
            "called 'baseline'), or has one policy."
        )
        return
    rows = rdata.backfire_rows(tables)
    solara.Markdown(
        f"Each policy against `{tables.reference}`, future by future. A run scores +1 if the war "
        "ended, -1 if a hard-line successor took power, 0 otherwise; a policy's run and the "
        "reference's with the same future and seed form a pair. A future is *worse* (a "
        f"backfire) when an exact one-sided sign test of the pairs it loses against those it "
        f"wins gives p < {ALPHA}, *better* when the opposite test does, else no clear "
        "difference: the shares of worse and better futures are lower bounds. Shares with "
        "Wilson 95% intervals over futures; P(hard-line successor) over all the policy's runs."
    )
    solara.HTML(tag="div", unsafe_innerHTML=table_html(backfire_display(rows), "backfires"))
    Chart(rcharts.verdict_chart(rows, str(tables.reference)), "robustness-verdicts")


@solara.component
def DiscoveryPart(tables: rdata.RobustnessTables):
    """PRIM's box for a chosen policy and question, found off the page's render."""
    policies = tables.policies
    default = "combined" if "combined" in policies else policies[-1]
    policy, set_policy = solara.use_state(default)
    question, set_question = solara.use_state(rdata.ENDS_WAR)
    policy = policy if policy in policies else default
    offered = rdata.questions(tables, policy)
    question = question if question in offered else offered[0]
    found = solara.use_thread(
        lambda: rdata.prim_box(tables, policy, question),
        dependencies=[id(tables), policy, question],
    )
    solara.Markdown("### Scenario discovery: in which futures (PRIM)")
    solara.Select("Policy", value=policy, values=policies, on_value=set_policy)
    solara.Select("Question", value=question, values=list(offered), on_value=set_question)
    solara.Markdown(
        "PRIM (EMA Workbench) looks for a box of the uncertain parameters' ranges where the "
        "outcome holds in most futures. Coverage: the share of the futures where it holds that "
        "lie in the box; density: the share of the box's futures where it holds; mass: the "
        f"share of all futures in the box. Rule: {SIGNIFICANCE_RULE}."
    )
    if found.state == solara.ResultState.ERROR:
        solara.Error(f"PRIM failed: {found.error}")
    elif found.state != solara.ResultState.FINISHED:
        solara.Text("Peeling the futures...", classes=["outlast-prim-running"])
        solara.ProgressLinear(True)
    elif isinstance(found.value, str):
        solara.Info(rdata.no_box_line(found.value), classes=["outlast-prim-none"])
    else:
        BoxPart(found.value)


@solara.component
def BoxPart(box: PrimBox):
    """A box: its numbers, whether it is a finding, its limits and the peeling trajectory."""
    line = rdata.box_line(box)
    if box.significant:
        solara.Success(line, classes=["outlast-prim-box"])
    else:
        solara.Warning(line, classes=["outlast-prim-box"])
    limits = box.limits.assign(
        quasi_p=box.limits["quasi_p"].map(lambda p: f"{p:.2g}"),
        low=box.limits["low"].map(lambda v: f"{v:,.4g}"),
        high=box.limits["high"].map(lambda v: f"{v:,.4g}"),
        parameter=[axis_label(d) for d in box.limits["dimension"]],
    )[["parameter", "dimension", "low", "high", "quasi_p"]]
    limits.columns = [
        "parameter",
        "name",
        "box from",
        "box to",
        f"quasi-p (at most {box.quasi_p_threshold:.2g})",
    ]
    solara.HTML(tag="div", unsafe_innerHTML=table_html(limits, "box"))
    Chart(rcharts.prim_limits_chart(box), "robustness-box")
    Chart(rcharts.prim_tradeoff_chart(box), "robustness-tradeoff")
