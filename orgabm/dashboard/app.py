"""The orgabm dashboard: a trainer's live demo of organizational learning.

Served by ``solara run app.py`` (the repository's app.py imports this) or
``orgabm dashboard``. Each browser session builds its own :class:`Session`.
"""

from __future__ import annotations

import threading

import solara
import solara.lab

from ..scenario import DEFAULT_SCENARIO, available_scenarios, load_scenario, read_yaml
from ..scenario.networks import NETWORK_KINDS
from ..teaching.assignments import assignments
from ..teaching.levers import LEVER_GROUPS, lever_range, whole_lever
from ..teaching.queue import scheduler, stop_workers_on_sigterm
from .assets import ensure_offline_assets
from .classroom import AssignmentPanel, ExperimentPanel
from .links import COLOR_BY, MAX_EMPLOYEES, MAX_REPLICATES, Config
from .memory import keep_releasing
from .pacing import pacer
from .player import SPEEDS, Player
from .serve import harden_routes
from .session import Session
from .views import belief_strip, history_spec, network_spec, series_spec, team_spec
from .widgets import VegaView, split

ensure_offline_assets()
scheduler.on_busy = pacer.working  # played steps slow down while a sweep runs
harden_routes()  # before the server's first request

#: A session whose page dropped its connection without closing is culled after this many
#: seconds at most (then its experiment is cancelled and its models freed).
CULL_SECONDS = 30


def limit_culling(seconds: float = CULL_SECONDS) -> float:
    """Cull dropped sessions within ``seconds`` (a shorter setting is kept): Solara keeps
    them 24 hours by default, and a crowd of dropped connections would hold the server's
    memory and threads; returns the timeout in use."""
    import solara.server.settings
    import solara.util

    kernel = solara.server.settings.kernel
    current = solara.util.parse_timedelta(kernel.cull_timeout)
    if current > seconds:
        kernel.cull_timeout = f"{seconds:g}s"
        current = seconds
    return current


limit_culling()
stop_workers_on_sigterm()  # the server's SIGTERM kills its sweep workers


def _descriptions() -> dict[str, str]:
    out = {}
    for name, path in available_scenarios().items():
        try:
            out[name] = str(read_yaml(path).get("description", "")).strip()
        except ValueError:
            out[name] = ""
    return out


DESCRIPTIONS = _descriptions()
ASSIGNMENTS = assignments()


def _kernel_closed() -> threading.Event:
    """An event set when this browser session's (virtual) kernel closes."""
    try:
        from solara.server import kernel_context

        return kernel_context.get_current_context().closed_event
    except Exception:
        return threading.Event()


def _initial_config(search: str | None) -> tuple[Config, str | None]:
    """The configuration a link asks for (``?config=...`` or ``?assignment=NAME``), or the
    defaults and a notice."""
    if not search:
        return Config(), None
    params = dict(part.partition("=")[::2] for part in search.split("&") if part)
    if "config" in params:
        return Config.decode(params["config"])
    unknown = sorted(set(params) - {"config", "assignment"})
    if unknown:
        return Config(), (
            f"The link's parameters {', '.join(unknown)} are not understood (a link holds "
            "?config=... or ?assignment=...); showing defaults."
        )
    if "assignment" in params:
        name = f"assignments/{params['assignment']}"
        if name in ASSIGNMENTS:
            return Config(scenario=name), None
        return Config(), (
            f"There is no assignment {params['assignment']!r} "
            f"(there are: {', '.join(n.split('/')[1] for n in ASSIGNMENTS)}); showing defaults."
        )
    return Config(), None


@solara.component
def LeverSlider(session: Session, name: str, hint: str, on_change, redraw=None) -> None:
    """One lever: a slider with its plain-language explanation. In an assignment, a
    locked lever is greyed out and an open one spans only its allowed range. ``redraw``
    (a reactive) changes when a scripted event moves a lever."""
    if redraw is not None:
        redraw.value  # noqa: B018 - re-render when a scripted event changes levers
    low, high, step = lever_range(name)
    task = session.scenario.assignment
    locked = task is not None and name not in task.open
    if task is not None and not locked:
        low, high = task.open[name]
    value = session.lever(name)
    label = name.replace("_", " ") + (" (locked)" if locked else "")
    if whole_lever(name):
        solara.SliderInt(
            label,
            value=int(value),
            min=int(low),
            max=int(high),
            step=int(step),
            on_value=lambda v: on_change(name, v),
            disabled=locked,
        )
    else:
        solara.SliderFloat(
            label,
            value=float(value),
            min=low,
            max=high,
            step=step,
            on_value=lambda v: on_change(name, v),
            disabled=locked,
        )
    solara.Text(hint, style={"font-size": "12px", "color": "#999" if locked else "#555",
                             "margin-top": "-10px"})  # fmt: skip


@solara.component
def Chart(spec: dict, on_click=None, shows: int = 0, meta: dict | None = None) -> None:
    """A Vega-Lite chart, redrawn at once when it changes."""
    spec_text, data_text = split(spec, shows, meta)
    VegaView.element(spec_json=spec_text, data_json=data_text, on_click=on_click)


@solara.component
def Inspector(session: Session, row: int | None, tick: int) -> None:
    """The selected employee: beliefs against reality, traits, team and history."""
    info = session.inspect(row) if row is not None else None
    with solara.Card("Employee", style={"min-width": "420px"}):
        if info is None:
            solara.Text("Click an employee in the network to inspect them.")
            return
        lead = ", team leader" if info["leader"] else ""
        lines = [
            f"Employee {info['row']}: team {info['team']}{lead}, tenure {info['tenure']} steps",
            f"knowledge {info['knowledge']:+.2f} | skill {info['skill']:.2f} | "
            f"risk tolerance {info['risk_tolerance']:.2f} | safety {info['safety']:.2f} | "
            f"openness {info['openness']:.2f}",
            "Beliefs against reality and the official line (blue +1, red -1, grey: none); "
            "below, their knowledge over time:",
        ]
        for line in lines:
            solara.v.Html(tag="div", children=[line], style_="font-size: 13px")
        Chart(belief_strip(info))
        Chart(history_spec(info))


@solara.component
def Stage(session: Session, lock: threading.Lock, tick: solara.Reactive, config: Config,
          set_color, reset, router, levers_tick: solara.Reactive) -> None:  # fmt: skip
    """Everything that changes as the run goes: controls, network, inspector, feed, charts.

    It alone re-renders at each step (the sidebar does not).
    """
    tick.value  # re-render on every step and every lever change  # noqa: B018
    nobody: int | None = None  # the employee the inspector shows: a row, or none yet
    selected, set_selected = solara.use_state(nobody)
    link, set_link = solara.use_state("")
    # One player thread for as long as the page shows the stage; it steps whichever
    # session the player holds now.
    control = solara.use_memo(lambda: Player(session), dependencies=[])
    control.show(session)  # this render shows this step

    def advance(steps: int = 1) -> None:
        current = control.session
        with lock:
            scripted = current.scripted_changes
            current.step(steps)
        tick.value += 1
        if current.scripted_changes != scripted:  # a scripted event moved levers
            levers_tick.value += 1

    def ended() -> None:
        tick.value += 1

    def start_player():
        # the thread also ends with the browser session's kernel (Solara closes it when
        # the page closes, or culls it after a dropped connection) even if no cleanup runs
        closed = _kernel_closed()
        thread = threading.Thread(target=control.run, args=(closed, advance, ended),
                                  daemon=True, name="orgabm-player")  # fmt: skip
        thread.start()
        return control.stop

    solara.use_effect(start_player, dependencies=[])

    def set_control(playing: bool | None = None, speed: str | None = None) -> None:
        if playing is not None:
            control.playing = playing
        if speed is not None:
            control.speed = speed
        tick.value += 1

    def pause_and_reset() -> None:
        set_control(playing=False)
        reset()

    playing = control.playing

    def copy_link() -> None:
        current = Config(**{**config.__dict__, "levers": dict(session.config.levers)})
        url = f"{router.path or '/'}?config={current.encode()}"
        set_link(url)
        router.push(url)

    with solara.Row(style={"align-items": "center"}):
        solara.Button(
            "Pause" if playing else "Play",
            color="primary",
            on_click=lambda: set_control(playing=not playing),
            disabled=not session.running,
        )
        solara.Button("Step", on_click=lambda: advance(1), disabled=playing or not session.running)
        solara.Button("Reset", on_click=pause_and_reset)
        solara.ToggleButtonsSingle(
            value=control.speed, values=list(SPEEDS), on_value=lambda v: set_control(speed=v)
        )
        solara.Text(f"Step: {session.time}", style={"font-size": "20px", "margin-left": "12px"})
        solara.Button("Copy link", on_click=copy_link, text=True)
    if link:
        solara.InputText(
            "Link to this configuration (copy it from here or the address bar)", value=link
        )
    with lock:
        network = network_spec(session, config.color)
        charts = [
            series_spec(session, "learning", "Learning: code, people, diversity, alignment"),
            series_spec(session, "climate", "Climate: safety and risk tolerance"),
            series_spec(session, "activity", "Experiments, innovations, failures, punishments"),
            team_spec(session),
        ]
        feed = list(session.feed[-12:])
    with solara.Row():
        with solara.Column():
            solara.Select(
                "Colour employees by", values=list(COLOR_BY), value=config.color, on_value=set_color
            )
            solara.Text(
                COLOR_BY[config.color] + "; size: skill; rings: this step's experiments "
                "(green worked, orange failed, red cross punished).",
                style={"font-size": "12px"},
            )
            Chart(
                network,
                shows=session.time,
                on_click=lambda d: set_selected(
                    int(d["row"]) if isinstance(d, dict) and "row" in d else None
                ),
            )
        with solara.Column():
            Inspector(session, selected, session.time)
            with solara.Card("What happened"):
                for _, text in reversed(feed):
                    solara.v.Html(tag="div", children=[text], style_="font-size: 13px")
    with solara.Row(style={"flex-wrap": "wrap"}):
        meta = {"runs": ["A", *(["B"] if session.twin else [])],
                "interventions": [i.step for i in session.interventions],
                "replicates": len(session.replicates)}  # fmt: skip
        for spec in charts:
            Chart(spec, shows=session.time, meta=meta)
    with solara.Row():
        solara.FileDownload(
            lambda: session.export("csv"),
            filename="orgabm-run-csv.zip",
            label="Download run (CSV + manifest)",
        )
        solara.FileDownload(
            lambda: session.export("parquet"),
            filename="orgabm-run-parquet.zip",
            label="Download run (Parquet + manifest)",
        )
        solara.FileDownload(
            session.charts_png, filename="orgabm-charts.png", label="Download charts (PNG)"
        )


@solara.component
def Page() -> None:
    """The whole dashboard: the sidebar's settings and levers, and the stage."""
    keep_releasing()  # the server hands closed sessions' memory back
    router = solara.use_router()
    initial = solara.use_memo(lambda: _initial_config(router.search), dependencies=[])
    config, set_config = solara.use_state(initial[0])
    notice, set_notice = solara.use_state(initial[1])
    version, set_version = solara.use_state(0)
    session = solara.use_memo(lambda: Session(config), dependencies=[version])
    lock = solara.use_memo(threading.Lock, dependencies=[])
    tick = solara.use_memo(lambda: solara.reactive(0), dependencies=[])
    tab, set_tab = solara.use_state(0)
    levers_tick = solara.use_memo(lambda: solara.reactive(0), dependencies=[])

    def reset(new: Config | None = None) -> None:
        chosen = new or config
        try:
            chosen.check()
        except ValueError as exc:
            set_notice(f"Cannot use these settings: {exc}")
            return
        set_notice(None)
        set_config(chosen)
        set_version(lambda v: v + 1)

    def update(**changes) -> None:
        reset(Config(**{**config.__dict__, "levers": dict(config.levers), **changes}))

    def set_color(color: str) -> None:
        set_config(Config(**{**config.__dict__, "color": color}))

    def choose_assignment(title: str) -> None:
        chosen = next((k for k, t in ASSIGNMENTS.items() if t == title), DEFAULT_SCENARIO)
        update(scenario=chosen, levers={}, employees=None, network=None, compare=None)

    def change_lever(name: str, value: float) -> None:
        try:
            with lock:
                session.set_lever(name, value)
        except ValueError as exc:  # a locked lever: the slider is disabled, but say so
            set_notice(str(exc))
        tick.value += 1

    scenario = load_scenario(config.scenario)
    task = scenario.assignment
    solara.Title("orgabm: organizational learning")
    with solara.Sidebar():
        if task is not None:  # the assignment stays in view, beside the model
            AssignmentPanel(scenario)
        solara.Text("Scenario", style={"font-weight": "bold"})
        solara.Select(
            "Assignment",
            values=["(none)", *ASSIGNMENTS.values()],
            value=ASSIGNMENTS.get(config.scenario, "(none)"),
            on_value=choose_assignment,
        )
        if task is None:
            solara.Select(
                "Preset",
                values=list(DESCRIPTIONS),
                value=config.scenario,
                on_value=lambda v: update(scenario=v, levers={}, employees=None, network=None),
            )
            solara.Text(DESCRIPTIONS.get(config.scenario, ""), style={"font-size": "12px"})
        solara.SliderInt(
            f"Employees (browser cap {MAX_EMPLOYEES:,})",
            value=min(config.employees or scenario.organization.employees, MAX_EMPLOYEES),
            min=10,
            max=MAX_EMPLOYEES,
            step=10,
            on_value=lambda v: update(employees=v),
            disabled=task is not None,
        )
        solara.Select(
            "Network",
            values=list(NETWORK_KINDS),
            value=config.network or scenario.organization.network.kind,
            on_value=lambda v: update(network=v),
            disabled=task is not None,
        )
        solara.InputInt(
            "Seed", value=config.seed, on_value=lambda v: update(seed=max(0, int(v or 0)))
        )
        solara.Select(
            "Compare with (A/B, same seed)",
            values=["(none)", *DESCRIPTIONS],
            value=config.compare or "(none)",
            on_value=lambda v: update(compare=None if v == "(none)" else v),
        )
        cap = max(0, config.replicate_cap())  # the memory budget per session scales it
        solara.SliderInt(
            "Replicates behind the run (95% band)",
            value=min(config.replicates, cap),
            min=0,
            max=cap,
            on_value=lambda v: update(replicates=v),
        )
        if cap < MAX_REPLICATES:
            solara.Text(f"At most {cap} replicates with {config.size_said()} (the server's "
                        "memory budget per session).", style={"font-size": "12px"})  # fmt: skip
        solara.Text(
            "Leadership levers (take effect at the next step)",
            style={"font-weight": "bold", "margin-top": "12px"},
        )
        for group, levers in LEVER_GROUPS:
            with solara.Details(group, expand=group == "Psychological safety"):
                for name, hint in levers:
                    LeverSlider(session, name, hint, change_lever, levers_tick)

    with solara.Column(style={"padding": "8px"}):
        if notice:
            solara.Warning(notice)
        # both tabs stay mounted: the live run keeps playing while an experiment runs
        with solara.lab.Tabs(value=tab, on_value=set_tab, lazy=False):
            with solara.lab.Tab("Live run"):
                Stage(session, lock, tick, config, set_color, reset, router, levers_tick)
            with solara.lab.Tab("Experiment"):
                ExperimentPanel(config.scenario, scenario, config.seed)
