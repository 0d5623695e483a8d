"""The validation page's words (orgabm/validation/texts.py and templates/findings.toml):
every finding and phrase is one the code uses, and a text and its values that disagree
are refused, naming the entry."""

import ast
import string
import tomllib
from pathlib import Path

import pytest

from orgabm.validation import texts

VALIDATION = Path(texts.__file__).parent
CATALOG = tomllib.loads((VALIDATION / "templates" / "findings.toml").read_text())


def _keys_used(function: str) -> set[str]:
    """The string literals passed first to ``function`` (``finding`` or ``phrase``) in the
    validation modules, including both arms of ``"a" if c else "b"``."""
    used: set[str] = set()
    for path in VALIDATION.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == function:
                first = node.args[0]
                for part in ast.walk(first):
                    if isinstance(part, ast.Constant) and isinstance(part.value, str):
                        used.add(part.value)
            # tuples that carry a finding's key to a loop (lf_velocity and the like)
            if isinstance(node, ast.Tuple) and function == "finding":
                used |= {e.value for e in node.elts
                         if isinstance(e, ast.Constant) and e.value in CATALOG}  # fmt: skip
    return used


def test_every_finding_and_phrase_in_the_catalog_is_used_and_every_use_exists():
    findings = {key for key in CATALOG if key not in ("phrases", "readings")}
    used = _keys_used("finding")
    assert findings == used & findings, sorted(findings - used)
    phrases = set(CATALOG["phrases"])
    said = _keys_used("phrase")
    assert said <= phrases, sorted(said - phrases)
    assert phrases <= said, sorted(phrases - said)


def test_each_finding_has_its_three_texts_and_only_those():
    for key, entry in CATALOG.items():
        if key in ("phrases", "readings"):
            continue
        assert set(entry) == {"experiment", "published", "observed"}, key


def test_a_finding_fills_its_fields_from_the_values():
    made = texts.finding("lf_k0", True, round=100, k0=0.0012, k5=0.0456)
    assert made.observed == "round 100, line minus complete: +0.001 at K = 0, +0.046 at K = 5"
    assert made.holds is True and made.ours is False


def test_a_value_missing_or_left_over_is_refused_naming_the_entry():
    with pytest.raises(KeyError, match=r"findings.toml \[lf_k0\]: no value for \['k5'\]"):
        texts.finding("lf_k0", True, round=100, k0=0.0)
    with pytest.raises(KeyError, match=r"\[phrases\] paired: .*no placeholder for \['extra'\]"):
        texts.phrase("paired", mean=0.1, low=0.0, high=0.2, extra=1)


def test_the_readings_are_those_the_reference_implements():
    from orgabm.validation.lf_readings import ENGINE_READING, READINGS

    assert next(iter(READINGS)) == ENGINE_READING
    assert list(READINGS) == list(CATALOG["readings"])
    for what in READINGS.values():
        assert not list(f for _, f, _, _ in string.Formatter().parse(what) if f)
