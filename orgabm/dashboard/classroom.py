"""The educators' parts of the dashboard: an assignment's instructions, and the
experiment tab that runs a small sweep in the background."""

from __future__ import annotations

import re
import threading
import time

import solara

from ..engine.metrics import METRICS
from ..scenario import Scenario
from ..teaching.experiments import (
    MAX_POINTS,
    MAX_REPLICATES,
    MAX_RUNS,
    ExperimentSpec,
    Job,
    factor_options,
    lever_options,
)
from ..teaching.figures import result_figure
from ..teaching.levers import LEVERS, lever_range, whole_lever
from ..teaching.queue import scheduler

POLL = 0.5  # seconds between progress checks of a running experiment
#: The second factor's values, as typed: at most this many characters.
MAX_VALUES_TEXT = 200


#: Link targets an assignment may use; any other scheme (javascript:, data:...) is dropped.
SAFE_SCHEMES = ("http", "https", "mailto")


def _safe_url(url: str) -> bool:
    """A relative URL, or one with a safe scheme; browsers ignore control characters and
    spaces inside a scheme ("java\tscript:"), so they are ignored here too."""
    bare = re.sub(r"[\x00-\x20\x7f]", "", url)
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", bare)
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


def markdown_html(text: str) -> str:
    """An assignment's Markdown as HTML that only formats: raw HTML in it is shown as
    text, and links and images keep only safe targets. A teacher's file, or one shared
    by someone else, must not run scripts in the students' pages."""
    import markdown
    from markdown.treeprocessors import Treeprocessor

    class SafeLinks(Treeprocessor):
        def run(self, root):
            for element in root.iter():
                for attribute in ("href", "src"):
                    if attribute in element.attrib and not _safe_url(element.attrib[attribute]):
                        del element.attrib[attribute]

    md = markdown.Markdown(extensions=["tables", "fenced_code"])
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(SafeLinks(md), "orgabm_safe_links", 0)
    return md.convert(text)


@solara.component
def SafeMarkdown(text: str) -> None:
    """Markdown shown through the element's content (``v-html``), not compiled as a Vue
    template as ``solara.Markdown`` is: ``{{ ... }}`` in the text stays text."""
    solara.HTML(tag="div", unsafe_innerHTML=markdown_html(text),
                classes=["solara-markdown", "rendered_html", "orgabm-markdown"])  # fmt: skip


@solara.component
def AssignmentPanel(scenario: Scenario) -> None:
    """The assignment's title, instructions and questions (they stay beside the model)."""
    task = scenario.assignment
    if task is None:
        return
    with solara.Card(task.title, classes=["orgabm-assignment"], style={"font-size": "13px"}):
        SafeMarkdown(task.instructions)
        solara.Text("Questions", style={"font-weight": "bold"})
        SafeMarkdown("\n".join(f"{i}. {q}" for i, q in enumerate(task.questions, start=1)))
        locked = [name for name in LEVERS if name not in task.open]
        solara.Text(
            f"Open levers: {', '.join(task.open)}. Locked (greyed out): {len(locked)} others.",
            style={"font-size": "12px", "color": "#555"},
        )


def _defaults(scenario: Scenario) -> dict:
    """The experiment tab's starting values: the assignment's, else the first lever's."""
    task = scenario.assignment
    if task is not None and task.experiment is not None:
        e = task.experiment
        return {"lever": e.lever, "low": e.low, "high": e.high, "points": e.points,
                "factor": e.factor, "factor_values": list(e.factor_values),
                "replicates": e.replicates, "metric": e.metric}  # fmt: skip
    lever = next(iter(task.open)) if task is not None else "psychological_safety"
    low, high = task.open[lever] if task is not None else lever_range(lever)[:2]
    return {"lever": lever, "low": low, "high": high, "points": 5, "factor": None,
            "factor_values": [], "replicates": 10, "metric": "knowledge"}  # fmt: skip


def _parse_values(text: str) -> list:
    from ..scenario import parse_override

    if not isinstance(text, str) or len(text) > MAX_VALUES_TEXT:
        raise ValueError(f"the second factor's values: at most {MAX_VALUES_TEXT} characters, "
                         "comma-separated")  # fmt: skip
    return [parse_override(f"x={item.strip()}")[1] for item in text.split(",") if item.strip()]


def _float(value, default: float) -> float:
    """A number the page shows, or ``default`` for a crafted value that is none."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float(default)


def _this_page() -> tuple[str | None, threading.Event | None]:
    """The browser's address (whose experiments count against its limit) and an event set
    when this page's session closes or is culled; (None, None) outside a served page."""
    try:
        from solara.server import kernel_context

        context = kernel_context.get_current_context()
    except Exception:  # rendered outside a server (tests, notebooks)
        return None, None
    session = getattr(context.kernel, "session", None)
    for socket in list(getattr(session, "websockets", ()) or ()):
        client = getattr(getattr(socket, "ws", None), "client", None)
        if client is not None and client.host:
            return client.host, context.closed_event
    return None, context.closed_event


@solara.component
def ExperimentPanel(scenario_name: str, scenario: Scenario, seed: int) -> None:
    """Choose a lever and its range (and a second factor), run, watch, plot, download."""
    start = solara.use_memo(lambda: _defaults(scenario), dependencies=[scenario_name])
    form, set_form = solara.use_state(start, key=scenario_name)
    no_job: Job | None = None
    job, set_job = solara.use_state(no_job, key=f"job-{scenario_name}")
    _, set_tick = solara.use_state(0)
    factor_text, set_factor_text = solara.use_state(
        ", ".join(map(str, start["factor_values"])), key=f"fv-{scenario_name}"
    )
    no_problem: str | None = None
    problem, set_problem = solara.use_state(no_problem)
    client, closed = solara.use_memo(_this_page, dependencies=[])
    opened = lever_options(scenario)

    def update(**changes) -> None:
        set_form({**form, **changes})

    def poll() -> None:
        # redraw only when something the panel shows has changed
        shown = None
        while job is not None and job.state in ("queued", "running"):
            time.sleep(POLL)
            now = (job.state, job.done * 20 // max(1, job.total), scheduler.position(job))
            if now != shown:
                shown = now
                set_tick(time.perf_counter())
        set_tick(time.perf_counter())

    def start_poll():
        if job is None:
            return None
        thread = threading.Thread(target=poll, daemon=True, name="orgabm-experiment-poll")
        thread.start()
        return None

    solara.use_effect(start_poll, dependencies=[job])

    def run() -> None:
        try:
            values = _parse_values(factor_text) if form["factor"] else []
            spec = ExperimentSpec(scenario=scenario_name, seed=seed,
                                  **{**form, "factor_values": values})  # fmt: skip
            if job is not None and job.state in ("queued", "running"):
                raise ValueError("this tab's experiment is still queued or running: cancel it")
            new = scheduler.submit(spec, client=client, closed=closed)
        except ValueError as exc:
            set_problem(str(exc))
            return
        set_problem(None)
        if job is not None:
            job.discard()
        set_job(new)

    def cancel() -> None:
        if job is not None:  # the button is disabled without a queued or running job
            job.cancel()
        set_tick(time.time())

    def choose_lever(name: str) -> None:
        if name not in opened:  # a crafted message: the select offers only these
            where = "locked in this assignment" if scenario.assignment else "not a lever"
            set_problem(f"{name} is {where} (open: {', '.join(opened)})")
            return
        set_problem(None)
        update(lever=name, low=opened[name][0], high=opened[name][1], factor=None)

    lever = form["lever"]
    low, high = opened.get(lever, (0.0, 1.0))
    whole = whole_lever(lever)
    with solara.Card("Experiment: a small sweep", style={"min-width": "460px"}):
        solara.Select("Lever", values=list(opened), value=lever, on_value=choose_lever)
        solara.SliderRangeFloat(
            f"Range (allowed {low:g} to {high:g})",
            value=(_float(form["low"], low), _float(form["high"], high)),
            min=float(low),
            max=float(high),
            step=1.0 if whole else 0.05,
            on_value=lambda v: update(low=v[0], high=v[1]),
            thumb_label="always",
        )
        solara.SliderInt("Points", value=form["points"], min=2, max=MAX_POINTS,
                         on_value=lambda v: update(points=v), thumb_label="always")  # fmt: skip
        choices = list(factor_options(scenario, lever))
        solara.Select("Second factor (optional)", values=["(none)", *choices],
                      value=form["factor"] or "(none)",
                      on_value=lambda v: update(factor=None if v == "(none)" else v))  # fmt: skip
        if form["factor"]:
            solara.InputText("Its values, comma-separated", value=factor_text,
                             on_value=set_factor_text)  # fmt: skip
        solara.SliderInt("Replicates per point", value=form["replicates"], min=1,
                         max=MAX_REPLICATES, on_value=lambda v: update(replicates=v),
                         thumb_label="always")  # fmt: skip
        solara.Select("Outcome", values=list(METRICS), value=form["metric"],
                      on_value=lambda v: update(metric=v))  # fmt: skip
        preview = ExperimentSpec(scenario=scenario_name, **{**form, "factor_values": []})
        try:
            preview.check_shape()  # a crafted size must not be drawn (or allocated)
            values = ", ".join(f"{v:g}" for v in preview.values(scenario))
        except (ValueError, TypeError):
            values = "?"
        levels: int | str
        runs: int | str
        try:
            levels = len(_parse_values(factor_text)) if form["factor"] else 1
            runs = preview.points * levels * preview.replicates if values != "?" else "?"
        except ValueError:
            levels, runs = "?", "?"
        solara.Text(f"{lever.replace('_', ' ')} at {values}"
                    + (f", for each of {levels} values of {form['factor']}" if form["factor"]
                       else "") + f": {runs} runs.", style={"display": "block"})  # fmt: skip
        solara.Text(f"At most {MAX_RUNS} runs per experiment on this server; runs use the "
                    f"seed {seed} (change it in the sidebar).",
                    style={"font-size": "12px", "color": "#555", "display": "block"})  # fmt: skip
        busy = job is not None and job.state in ("queued", "running")
        with solara.Row():
            solara.Button("Run experiment", color="primary", on_click=run, disabled=busy)
            solara.Button("Cancel", on_click=cancel,
                          disabled=not busy)  # fmt: skip
        if problem:
            solara.Warning(problem)
    if job is None:
        return
    if job.state == "queued":
        place = scheduler.position(job)
        solara.Info(f"Waiting for the server: position {place} in the queue." if place
                    else "Starting...")  # fmt: skip
    elif job.state == "running":
        solara.Text(f"Running: {job.done} of {job.total} runs")
        solara.ProgressLinear(value=100.0 * job.done / max(1, job.total))
    elif job.state == "cancelled":
        solara.Warning("Cancelled.")
    elif job.state == "failed":
        solara.Error(f"The experiment failed: {job.error}")
    elif job.state == "done":
        solara.Success(f"Done: {job.total} runs in {job.seconds:.1f} s.")
        solara.FigureMatplotlib(result_figure(job))
        solara.FileDownload(job.export, filename="orgabm-experiment.zip",
                            label="Download results (CSV + manifest)")  # fmt: skip
        solara.Text(f"Reproduce: {job.spec.command()}", style={"font-size": "12px"})
