"""The page's own CSS: a page no wider than the window, sidebar labels above their controls.

Solara 1.64 draws with Vuetify 3, whose defaults cut a long label short (``white-space: nowrap``
with an ellipsis), put a slider's label beside its track, float a text field's label in a
one-line box, and keep a row of tabs on one line however wide it gets (a flex item at least as
wide as its content, so ten tabs made the whole page 1561 px wide in a 1280 px window). The rules
below undo that for the page's own elements only (classes ``outlast-*``).
"""

from __future__ import annotations

#: The width in pixels below which a chart cell of a view's grid does not shrink.
GRID_CELL_MIN_PX = 360

PAGE_CSS = f"""
/* Sidebar: every label on its own line(s) above its control, wrapped, never cut. */
.outlast-params .v-label {{ white-space: normal; overflow: visible; text-overflow: clip;
  line-height: 1.25; height: auto; contain: none; }}
.outlast-params .v-slider.v-input--horizontal {{
  grid-template-areas: "prepend prepend prepend" "control control control" "a messages b";
  grid-template-columns: 0 minmax(0, 1fr) 0; margin-inline: 0; margin-top: 6px; }}
.outlast-params .v-slider.v-input--horizontal > .v-input__prepend {{ margin-inline-end: 0; }}
.outlast-params .v-slider__label {{ margin-inline-end: 0; font-size: 0.875rem; }}
.outlast-params .v-slider.v-input--horizontal > .v-input__control {{ margin-inline: 8px; }}
.outlast-params .v-field__field {{ flex-direction: column; }}
.outlast-params .v-label.v-field-label:not(.v-field-label--floating) {{ display: none; }}
.outlast-params .v-label.v-field-label--floating {{ position: static; visibility: visible;
  transform: none; max-width: 100%; margin-top: 6px; font-size: 0.75rem; }}
.outlast-params .v-field__input {{ --v-field-input-padding-top: 0px; min-height: 32px; }}
.outlast-params .v-input {{ margin-top: 2px; }}
/* Tabs wrap into rows rather than widen the page. */
.outlast-tabs {{ max-width: 100%; min-width: 0; }}
.outlast-tabs .v-tabs {{ height: auto; min-width: 0; }}
.outlast-tabs .v-slide-group__container {{ min-width: 0; }}
.outlast-tabs .v-slide-group__content {{ flex-wrap: wrap; flex: 1 1 auto; min-width: 0; }}
.outlast-tabs .v-tab {{ height: 40px; }}
/* Charts: as wide as their cell; a view of few panels fills the row (auto-fit, not auto-fill). */
.outlast-chart {{ max-width: 100%; min-width: 0; contain: inline-size; }}
.outlast-chart .vega-embed {{ width: 100%; }}
.outlast-chart-note {{ font-size: 0.75rem; color: #555; cursor: help; display: inline-flex;
  align-items: center; gap: 4px; }}
.outlast-grid {{ display: grid; gap: 4px 16px; width: 100%;
  grid-template-columns: repeat(auto-fit, minmax({GRID_CELL_MIN_PX}px, 1fr)); }}
/* The elite network is the Elites tab's main figure: two thirds of the row, its bars beside. */
.outlast-grid.outlast-chart-elites {{ grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); }}
/* Room below the last chart for Solara's "This website runs on Solara" badge, which is fixed
   at the bottom right and covered the last chart's axis title. */
.solara-content-main {{ padding-bottom: 48px; }}
.outlast-region-list table {{ border-collapse: collapse; }}
.outlast-region-list td, .outlast-region-list th {{ padding: 1px 6px; }}
.outlast-region-list th {{ white-space: normal; overflow-wrap: anywhere; }}
/* The note that changes wait for Reset stays in view while the sidebar scrolls. */
.outlast-changed {{ position: sticky; top: 0; z-index: 5; }}
.v-card.outlast-params {{ overflow: visible; }}  /* a card's overflow: hidden stops sticky */
"""
