"""The chart widget: Solara's Vega-Lite widget with a front end that survives quick re-renders.

Solara's own template plots 100 ms after a chart appears; when the chart is already gone by then
(a tab switched or a preset rebuilt the page) it plots into nothing and the browser console shows
"Cannot read properties of null (reading 'usermeta')". ``vegalite.vue`` beside this module is
Solara 1.64's template with the pending plot cancelled on destroy; the widget is otherwise
Solara's, so the page loads vega from the same cached assets.
"""

from __future__ import annotations

from pathlib import Path

import solara.widgets


class VegaLite(solara.widgets.VegaLite):
    """``solara.widgets.VegaLite`` drawn by the fixed template ``vegalite.vue``."""

    template_file = str(Path(__file__).with_name("vegalite.vue").resolve())
