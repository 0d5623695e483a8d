"""Models for the sweep tests: runs that raise, and runs that kill their process."""

import os

from orgabm import OrgModel


class FailingModel(OrgModel):
    """Raises at step 3 in every run whose seed is divisible by 4."""

    def step(self) -> None:
        if self.time == 3 and self._seed % 4 == 0:
            raise RuntimeError("deliberate failure for the test")
        super().step()


class DyingModel(OrgModel):
    """Kills its own process at step 2 in every run whose seed is divisible by 7."""

    def step(self) -> None:
        if self.time == 2 and self._seed % 7 == 0:
            os._exit(3)
        super().step()


class WitnessModel(OrgModel):
    """OrgModel, whose module notes on import which process imported it and what it was
    told: a line "pid parent note" in the file ORGABM_TEST_WITNESS names."""


if os.environ.get("ORGABM_TEST_WITNESS"):
    with open(os.environ["ORGABM_TEST_WITNESS"], "a") as _file:
        _file.write(f"{os.getpid()} {os.getppid()} {os.environ.get('ORGABM_TEST_NOTE', '')}\n")
