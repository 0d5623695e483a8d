import sys, json, numpy as np
from orgabm.scenario import load_scenario
from orgabm.engine.model import OrgModel
base = "assignments/safety_and_complexity"
extras = json.loads(sys.argv[1]); reps=int(sys.argv[2]) if len(sys.argv)>2 else 12
def run(changes):
    out=[]
    for r in range(reps):
        m = OrgModel(load_scenario(base, changes), rng=1000+r, team_table=False).run() if False else OrgModel(load_scenario(base, changes), rng=1000+r).run()
        f = m.metrics_frame()
        out.append((f["performance"].iloc[-10:].mean(), f["knowledge"].iloc[-1], f["safety"].iloc[-1]))
    return np.array(out)
for extra in extras:
    for k in (0,5):
        a = run({"leadership.psychological_safety":0.0, "environment.k":k, **extra})
        b = run({"leadership.psychological_safety":1.0, "environment.k":k, **extra})
        d = b[:,0]-a[:,0]
        print(extra, "K", k, "perf %.3f → %.3f diff %+.3f ± %.3f | know %.3f→%.3f" % (a[:,0].mean(), b[:,0].mean(), d.mean(), d.std(ddof=1)/np.sqrt(len(d)), a[:,1].mean(), b[:,1].mean()), flush=True)
