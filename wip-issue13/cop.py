import sys, numpy as np; sys.path.insert(0, ".")
from effects import runs, per_run
for cop in (0.0, 0.02, 0.05, 0.1, 0.3, 0.6, 1.0):
    ms = runs({"organization.network.cross_team_ties": 0.0, "leadership.communities_of_practice": cop, "steps": 100}, reps=12)
    k = per_run(ms, "knowledge", 60); p = per_run(ms, "productivity", 1); dv = per_run(ms, "diversity", 60)
    print(f"cop {cop:<5} knowledge(60+) {k.mean():.4f}±{k.std(ddof=1)/np.sqrt(len(k)):.4f}  productivity {p.mean():.4f}±{p.std(ddof=1)/np.sqrt(len(p)):.4f}  diversity {dv.mean():.3f}")
