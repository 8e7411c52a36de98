"""The page's verdict card, the ensemble's view, the export tab and the About tab."""

from __future__ import annotations

import solara
from mesa.visualization.utils import update_counter

from dashboards import ensemble_chart, export
from dashboards.ensemble import BAND_METRICS, Ensemble, censored_bands, headline
from dashboards.verdict import run_facts, verdict
from dashboards.views import ChartGrid
from model.model import OutlastModel


@solara.component
def VerdictCard(model: OutlastModel):
    """What happened in this run, when, and which threshold drove it."""
    update_counter.get()
    head, why = verdict(run_facts(model))
    with solara.Card(classes=["outlast-verdict"], margin=0, elevation=1):
        solara.Markdown(f"**{head}** {why}")
        if not model.running:
            solara.Info("Run finished: press Reset to run again.", dense=True)


@solara.component
def EnsembleStatus(ensemble_state: solara.Reactive[dict], applied: bool = True):
    """The ensemble's headline, or its progress while it runs.

    It reads the ensemble's reactive state itself, so that progress redraws this line only and
    not the sidebar (a redraw of the sidebar wiped what was being typed into its boxes).
    """
    state = ensemble_state.value
    if state.get("off"):
        solara.Info("The ensemble is off: set the seeds in the ensemble above 0.", dense=True)
    elif state.get("error"):
        solara.Error(f"The ensemble stopped: {state['error']}", dense=True)
    elif state.get("ensemble") is not None:
        pending = (
            ""
            if applied
            else " *(the changed controls, not yet the run on screen: press Reset to run it)*"
        )
        with solara.Div(classes=["outlast-ensemble-headline"]):
            solara.Markdown(
                f"**Over {len(state['ensemble'].seeds)} seeds:**{pending} "
                f"{headline(state['ensemble'].results)}",
                style={"margin": "0"},
            )
    else:
        done, total = state.get("progress", (0, 1))
        solara.Text(
            f"Running the ensemble: {done} of {total} runs done (current levers and baseline, "
            "same seeds)",
            classes=["outlast-ensemble-progress"],
        )
        solara.ProgressLinear(value=100 * done / max(total, 1))


@solara.component
def EnsembleView(model: OutlastModel, ensemble_state: solara.Reactive[dict], applied: bool):
    """Each arm's weekly median with 50% and 90% bands, censored at each run's end, and the draw.

    The ensemble's headline (shares with intervals) or progress is shown once, above the tabs
    (`EnsembleStatus`); this tab refers to it.
    """
    update_counter.get()
    result: Ensemble | None = ensemble_state.value.get("ensemble")
    if result is None:
        solara.Text(
            "The bands are drawn here when the ensemble has run; its progress is shown above "
            "the tabs.",
            classes=["outlast-ensemble-waiting"],
        )
        return
    solara.Markdown(
        f"The {len(result.seeds)} seeds of the headline above the tabs, week by week. "
        "Bands: the middle 50% (dark) and 90% (light) of runs still going each week; a run that "
        "ended counts no more after its end. The dashed black line is the run the other tabs "
        "show (the page's seed)."
        + ("" if applied else " It is of the settings before your changes: press Reset.")
    )
    bands = censored_bands(result.weekly, BAND_METRICS)
    draw = model.weekly_table()[["week", *BAND_METRICS]]
    ChartGrid(ensemble_chart.ensemble_spec(bands, draw, model.params.horizon_weeks), "ensemble")
    solara.Markdown(
        "Check it with the sweep engine: download *the ensemble as a sweep file* in the Export "
        "tab and run `outlast sweep` on it; its results are these runs, seed for seed."
    )


@solara.component
def ExportView(model: OutlastModel, preset: str, ensemble_toml: str):
    """Downloads of the run's tables and scenario, and the command that reproduces the run."""
    update_counter.get()
    seed = model.seed
    weekly = model.weekly_table()
    regions = model.region_table()
    name = f"outlast-{preset}-seed{seed}-week{model.week}"
    solara.Markdown("### This run")
    command = export.command_line(model.params, preset, seed)
    solara.Markdown("Copy as command (reproduces this run):")
    solara.Markdown(f"```\n{command}\n```", style={"font-size": "0.9em"})
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.FileDownload(
            export.scenario_toml(model.params, preset, seed),
            f"{name}.toml",
            label="Scenario (TOML)",
            mime_type="application/toml",
        )
        for table, stem in ((weekly, "weekly"), (regions, "regions")):
            solara.FileDownload(
                lambda t=table: export.csv_bytes(t), f"{name}-{stem}.csv", label=f"{stem} (CSV)"
            )
            solara.FileDownload(
                lambda t=table: export.parquet_bytes(t),
                f"{name}-{stem}.parquet",
                label=f"{stem} (Parquet)",
            )
    solara.Markdown("### The ensemble")
    solara.FileDownload(
        ensemble_toml,
        f"outlast-ensemble-{preset}-seed{seed}.toml",
        label="The ensemble as a sweep file (current levers)",
    )


ABOUT = """
## What is it?

outlast is an agent-based model of one question: can Western policy make continuing the war in
Ukraine riskier for the Kremlin than ending it? Russian soldiers from 85 real regions, elites on a
patronage network, the leader, a government-in-exile and Russia's foreign partners act week by
week. The Western levers are a payment to surrendering soldiers from seized assets, a campaign on
the treatment of minorities, diplomacy with Russia's partners, support for a government-in-exile
and Western resolve.

## How it works

Each week soldiers weigh leaving (desertion, surrender) against staying, by thresholds that
spread through their units; the army's losses and recruits set its strength. Citizens in each
region grow restive as grievance rises and legitimacy falls. Elites stay loyal, press or conspire;
when conspirators hold more than the coup threshold of elite power, a coup is attempted. The
leader adds up his threats (elites, coup risk, army decline and strain, unrest, the economy, an
exile agreement) and ends the war by negotiation when that threat passes the threat he tolerates,
which rests on his commitment and his belief that he can outlast the West. Every parameter is in
docs/MODEL.md with its source.

## How to use it

Choose a preset or move the levers, press **Reset** to apply them, then **▶ Play** or **Step**. The
card at the top says what happened and why. The same levers and the baseline are run over many
seeds at once: the line above the tabs gives their shares, and the **Many seeds** tab their weeks;
read those, not one run, as the answer. The **Robustness** tab shows a robustness experiment:
each policy across plausible futures, where it backfires, and PRIM's boxes.

## Things to try

- The `combined` preset against `baseline`: how many more seeds end the war, and when?
- Drop one lever (`combined-no-fund`, ...): which one carries the package?
- `backlash` and `exile-backfire`: can the levers make the regime stronger?
- Lower the leader's commitment or his belief that he can outlast the West.

## What it cannot tell you

It is a thought experiment with numbers, not a forecast. Many parameters are assumptions
(marked so in docs/MODEL.md); a share such as "9 of 20 seeds" is a share of runs of this model
under these assumptions, not a probability that the war ends. One run is one draw of chance.
The model leaves out the battlefield itself, Ukraine's and the West's own politics, and
anything the Kremlin could do that is not written in its rules.

## The stability index

A weighted mean (weights in docs/MODEL.md) of the army's strength, elite loyalty, the leader's
security (1 - his threat), calm (1 - unrest) and partners' cooperation; 1 is a regime untroubled
on every count. It is a summary for charts: what ends a run is the leader's threat passing his
tolerance, or a coup.
"""


@solara.component
def AboutView():
    """The model in words (NetLogo's Info tab): what, how, how to use, what to try, limits."""
    solara.Markdown(ABOUT)
