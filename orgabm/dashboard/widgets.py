"""A Vega-Lite widget drawn on a canvas: embedded once, then fed new rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ipyvuetify as v
import traitlets

__all__ = ["VegaView", "split"]


class VegaView(v.VuetifyTemplate):
    """A Vega-Lite chart as two JSON texts: ``spec_json`` (named datasets, no rows) and
    ``data_json`` (``{"key": step, "data": {name: rows}}``).

    While the spec stays the same, a new step only replaces the rows of the live
    view: no re-embedding and, unlike Solara's VegaLite widget, no 100 ms debounce.
    The element's ``data-rendered`` attribute holds the key of the rows drawn.
    Clicks on a mark call ``on_click`` with its datum (None for the background).
    """

    template_file = str(Path(__file__).resolve().parent / "vegaview.vue")
    spec_json = traitlets.Unicode("{}").tag(sync=True)
    data_json = traitlets.Unicode('{"key": 0, "data": {}}').tag(sync=True)
    on_click = traitlets.Callable(None, allow_none=True)

    def vue_clicked(self, datum: Any = None) -> None:
        if self.on_click is not None:
            self.on_click(datum)


def split(spec: dict[str, Any], key: int = 0, meta: dict | None = None) -> tuple[str, str]:
    """A spec whose layers carry ``data: {"values": rows}`` -> (spec JSON, data JSON).

    Each ``values`` becomes a named dataset ``d0``, ``d1``, ... (in order), so the
    spec's JSON stays the same from step to step while the rows change. A value
    that is already JSON text (a str) is spliced in as it is: cache it for rows
    that never change. ``meta`` lands in the element's ``data-meta`` attribute
    (for tests: what the chart shows, in words a test can read).
    """
    data: dict[str, Any] = {}

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for name, value in node.items():
                if name == "data" and isinstance(value, dict) and "values" in value:
                    label = f"d{len(data)}"
                    data[label] = value["values"]
                    out[name] = {"name": label}
                else:
                    out[name] = strip(value)
            return out
        if isinstance(node, list):
            return [strip(item) for item in node]
        return node

    bare = json.dumps(strip(spec), sort_keys=True, separators=(",", ":"))
    parts = []
    for label, rows in data.items():
        text = rows if isinstance(rows, str) else json.dumps(rows, separators=(",", ":"))
        parts.append(f'"{label}":{text}')
    extra = json.dumps(meta or {}, separators=(",", ":"))
    return bare, f'{{"key":{int(key)},"meta":{extra},"data":{{{",".join(parts)}}}}}'
