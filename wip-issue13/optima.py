"""Mean productivity over the 150 steps, per point, with its 95% CI (t), from a sweep folder."""
import sys
import numpy as np
from scipy import stats
from orgabm import load_results
for folder in sys.argv[1:]:
    res = load_results(folder)
    runs = res.runs
    lever = [c for c in runs.columns if c.startswith("leadership.")][0]
    steps = res.steps(columns=["run_id", "step", "productivity", "knowledge"])
    steps = steps[steps.step >= 1]
    per_run = steps.groupby("run_id")[["productivity", "knowledge"]].mean()
    table = runs.set_index("run_id")[[lever]].join(per_run)
    print(folder, lever)
    for value, g in table.groupby(lever):
        m, s, n = g.productivity.mean(), g.productivity.std(ddof=1), len(g)
        h = stats.t.ppf(0.975, n - 1) * s / np.sqrt(n)
        print(f"  {value:>6g}  productivity {m:.4f} ± {h:.4f}   knowledge {g.knowledge.mean():.3f}  (n={n})")
