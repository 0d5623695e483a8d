import sys, numpy as np
from orgabm.scenario import load_scenario
from orgabm.engine.model import OrgModel
base = sys.argv[1] if len(sys.argv)>1 else "assignments/safety_and_complexity"
def run(changes, reps=16):
    out=[]
    for r in range(reps):
        sc = load_scenario(base, changes)
        m = OrgModel(sc, rng=1000+r).run()
        f = m.metrics_frame()
        out.append((f["performance"].iloc[-1], f["knowledge"].iloc[-1], f.get("experiments", f["performance"]*0).sum() if "experiments" in f else np.nan, f["safety"].iloc[-1]))
    return np.array(out)
for extra in [dict(), {"leadership.experimentation": 0.0}, {"environment.dimensions": 20}, {"steps": 300}]:
    for k in (0,5):
        a = run({"leadership.psychological_safety":0.0, "environment.k":k, **extra})
        b = run({"leadership.psychological_safety":1.0, "environment.k":k, **extra})
        d = b[:,0]-a[:,0]
        print(extra, "K", k, "perf s0 %.3f s1 %.3f diff %+.3f ± %.3f | safety %.2f→%.2f know %.3f→%.3f" % (a[:,0].mean(), b[:,0].mean(), d.mean(), d.std(ddof=1)/np.sqrt(len(d)), a[:,3].mean(), b[:,3].mean(), a[:,1].mean(), b[:,1].mean()), flush=True)
