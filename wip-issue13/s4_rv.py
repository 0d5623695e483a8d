import sys, json, numpy as np
from orgabm.scenario import load_scenario
from orgabm.engine.model import OrgModel
base = "assignments/reviews_and_safety"
extras = json.loads(sys.argv[1]); reps=int(sys.argv[2])
for extra in extras:
    for s in (0.1, 0.9):
        res = {}
        for k in (0, 5, 20):
            res[k] = np.array([OrgModel(load_scenario(base, {"leadership.psychological_safety": s, "leadership.after_action_reviews": k, **extra}), rng=500+r).run().metrics_frame()[["knowledge","productivity"]].iloc[-1].to_numpy() for r in range(reps)])
        d5 = res[5]-res[0]; d20 = res[20]-res[0]
        se = lambda d: d.std(0, ddof=1)/np.sqrt(reps)
        print(extra, "safety", s, "know k0 %.3f | k5 %+.3f±%.3f | k20 %+.3f±%.3f || prod k0 %.3f k5 %+.3f k20 %+.3f" % (res[0][:,0].mean(), d5[:,0].mean(), se(d5)[0], d20[:,0].mean(), se(d20)[0], res[0][:,1].mean(), d5[:,1].mean(), d20[:,1].mean()), flush=True)
