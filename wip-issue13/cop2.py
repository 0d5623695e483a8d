import sys, numpy as np; sys.path.insert(0, ".")
from effects import effect
base = {"organization.network.cross_team_ties": 0.0, "steps": 100}
free = {**base, "calibration.encounter_time": 0.0, "calibration.sharing_time": 0.0}
for name, b in (("costly", base), ("free", free)):
    lo = effect("leadership.communities_of_practice", 0.0, 0.05, "productivity", b, reps=12)
    hi = effect("leadership.communities_of_practice", 0.05, 1.0, "productivity", b, reps=12)
    print(name, "0->0.05 %+.4f±%.4f" % lo, " 0.05->1 %+.4f±%.4f" % hi)
