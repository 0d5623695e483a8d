"""A Vega-Lite widget drawn on a canvas and redrawn at once when its chart changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ipyvuetify as v
import traitlets

__all__ = ["VegaView", "spec_json"]


class VegaView(v.VuetifyTemplate):
    """A Vega-Lite chart, given as JSON text (so comparing two frames is one string compare).

    Unlike Solara's VegaLite widget it redraws with no 100 ms debounce and on a
    canvas, and marks its element with the step it shows (``data-rendered``).
    Clicks on a mark call ``on_click`` with its datum (None for the background).
    """

    template_file = str(Path(__file__).resolve().parent / "vegaview.vue")
    spec_json = traitlets.Unicode("{}").tag(sync=True)
    on_click = traitlets.Callable(None, allow_none=True)

    def vue_clicked(self, datum: Any = None) -> None:
        if self.on_click is not None:
            self.on_click(datum)


def spec_json(spec: dict[str, Any], key: int = 0) -> str:
    """The chart as compact JSON, with ``key`` (the step) in its usermeta."""
    return json.dumps({**spec, "usermeta": {"key": key}}, separators=(",", ":"))
