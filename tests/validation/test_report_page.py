"""The validation page (orgabm/validation/report.py; named apart from tests/analysis/test_report.py,
which pytest would take for the same module): a check of our own is never shown as a
published finding."""

from orgabm.validation.report import _bullets
from orgabm.validation.texts import Finding


def test_a_finding_of_our_own_is_marked_as_not_published():
    findings = [
        Finding("velocity", "lower velocity raises long-run performance", "+0.2", True),
        Finding(
            "learning rate", "the fastest rate ends lower", "0.97 against 1.00", True, ours=True
        ),
        Finding("rate", "a check that failed", "0.9", False, ours=True),
    ]
    lines = _bullets(findings).splitlines()
    assert lines[0].startswith("- **Reproduced** (velocity)")
    assert lines[1].startswith("- **Holds, not a published finding** (learning rate)")
    assert lines[2].startswith("- **Does not hold, not a published finding** (rate)")
