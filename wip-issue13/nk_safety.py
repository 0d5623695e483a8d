import numpy as np, sys
from orgabm import OrgModel, load_scenario
from orgabm.batch.seeds import derive_seed
reps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
for n in (16, 20):
  for aar in (5, 0):
    out = {}
    for s in (0.1, 0.9):
        cfg = load_scenario("learning_organization", {"environment.kind": "nk", "environment.dimensions": n, "environment.k": 5,
                            "leadership.psychological_safety": s, "leadership.after_action_reviews": aar})
        vals = []
        for r in range(reps):
            f = OrgModel(cfg, rng=derive_seed(11, r)).run().metrics_frame()
            vals.append([f["performance"].iloc[-10:].mean(), f["knowledge"].iloc[-1], f["productivity"].iloc[-10:].mean()])
        out[s] = np.array(vals)
    d = out[0.9] - out[0.1]
    m, se = d.mean(0), d.std(0, ddof=1) / np.sqrt(reps)
    print(f"N={n} reviews={aar}: safety 0.9-0.1: performance {m[0]:+.4f}±{se[0]:.4f}  knowledge {m[1]:+.4f}±{se[1]:.4f}  productivity {m[2]:+.4f}±{se[2]:.4f}")
