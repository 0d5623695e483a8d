"""The validation page's words: the prose is in ``templates/``, the code supplies values.

Keeping the text out of the code lets it be edited as Markdown (the page's sections) and
TOML (``findings.toml``: each finding's claim and reading, and the phrases the page
chooses between). Every fill refuses a text whose placeholders and values disagree, so
the two cannot drift apart.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["TEMPLATES", "Finding", "catalog", "fill", "finding", "phrase"]

TEMPLATES = resources.files("orgabm.validation") / "templates"


@dataclass
class Finding:
    """A published direction, what orgabm shows, and whether it holds."""

    experiment: str
    published: str
    observed: str
    holds: bool
    ours: bool = False
    """True for a check of orgabm's own that no paper states (its ``published`` is ours)."""


def _fill(texts: Mapping[str, str], values: Mapping[str, object], where: str) -> dict[str, str]:
    """Each of ``texts`` with its ``{placeholders}`` filled from ``values``, which must
    name exactly the placeholders they hold between them (KeyError otherwise)."""
    parsed = (string.Formatter().parse(text) for text in texts.values())
    fields = {field for parts in parsed for _, field, _, _ in parts if field is not None}
    if fields != set(values):
        missing, unused = sorted(fields - set(values)), sorted(set(values) - fields)
        raise KeyError(f"{where}: no value for {missing}, no placeholder for {unused}")
    return {key: text.format_map(values) for key, text in texts.items()}


def fill(name: str, values: Mapping[str, object]) -> str:
    """``templates/<name>`` with its ``{placeholders}`` filled from ``values``."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    return _fill({"text": text}, values, f"templates/{name}")["text"]


@cache
def _findings_toml() -> dict[str, dict[str, str]]:
    return tomllib.loads((TEMPLATES / "findings.toml").read_text(encoding="utf-8"))


def catalog(table: str) -> dict[str, str]:
    """A table of ``templates/findings.toml`` as it stands (in its order)."""
    return dict(_findings_toml()[table])


def phrase(key: str, **values: object) -> str:
    """The phrase ``key`` of findings.toml's ``[phrases]``, filled from ``values``."""
    texts = {"text": _findings_toml()["phrases"][key]}
    return _fill(texts, values, f"templates/findings.toml [phrases] {key}")["text"]


def finding(key: str, holds: bool, ours: bool = False, **values: object) -> Finding:
    """The finding ``key`` of findings.toml: its experiment, claim and reading filled
    from ``values`` (between them they use every value)."""
    texts = {name: _findings_toml()[key][name] for name in ("experiment", "published", "observed")}
    filled = _fill(texts, values, f"templates/findings.toml [{key}]")
    return Finding(**filled, holds=bool(holds), ours=ours)
