"""Reset, play and step: the run's controls, following the model the page holds.

Mesa's SolaraViz controller keeps "the run may go on" in its own state, set by its step and
cleared only by its own Reset, and SolaraViz puts it in the layout's sidebar, where a new
SolaraViz takes over the old one's state. The page also replaces the model itself (a preset's
choice), after which that state was stale: Step stayed greyed out, or vanished with the sidebar's
rebuild. Here whether Step and play are allowed is read from the model shown, every render.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

import solara
from mesa.visualization.utils import force_update, update_counter

from model.model import OutlastModel

#: Milliseconds between weeks while playing (SolaraViz's default).
PLAY_INTERVAL_MS = 100


@solara.component
def Player(model: solara.Reactive[OutlastModel], make_model: Callable[[], OutlastModel]):
    """Reset (a new model from `make_model`), play/pause and step buttons, and the play interval.

    Args:
        model: The page's model; play and step advance it in place and redraw the views
            (Mesa's ``force_update``), Reset replaces it.
        make_model: Builds the model Reset starts (reads the page's controls at that moment).

    """
    update_counter.get()  # a step redraws the buttons too (play ends at the run's end)
    playing = solara.use_reactive(False)
    interval_ms = solara.use_reactive(PLAY_INTERVAL_MS)
    error = solara.use_reactive(None)
    current = model.value

    def step_once() -> bool:
        try:
            current.step()
        except Exception as exc:  # shown on the page; the page itself goes on
            traceback.print_exc()
            error.set(f"error in week {current.week}: {type(exc).__name__}: {exc}")
            return False
        force_update()
        return True

    def play(cancel: threading.Event) -> None:
        if not playing.value:
            return
        while current.running and not cancel.wait(interval_ms.value / 1000):
            if not step_once():
                break
        if not cancel.is_set():
            playing.set(False)

    solara.use_thread(play, dependencies=[playing.value, id(current)], intrusive_cancel=False)

    def reset() -> None:
        playing.set(False)
        error.set(None)
        model.set(make_model())

    with solara.Card("Controls", margin=0):
        solara.SliderInt(
            f"Play interval: {interval_ms.value} ms between weeks",
            value=interval_ms,
            min=1,
            max=500,
            step=10,
        )
        with solara.Row(justify="space-between"):
            solara.Button("Reset", color="primary", on_click=reset)
            solara.Button(
                "❚❚ Pause" if playing.value else "▶ Play",
                color="primary",
                on_click=lambda: playing.set(not playing.value),
                disabled=not current.running,
            )
            solara.Button(
                "Step",
                color="primary",
                on_click=step_once,
                disabled=playing.value or not current.running,
            )
        if error.value:
            solara.Error(error.value)
