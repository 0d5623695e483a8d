import hashlib, pandas as pd
from pathlib import Path
from orgabm import OrgModel, load_scenario
from orgabm.scenario import apply_overrides
COLS = ["step", "code_knowledge", "knowledge", "performance", "diversity", "alignment"]
for name in ("march_1991", "validation/march_figure1"):
    s = load_scenario(name)
    data = apply_overrides(s.model_dump(mode="json"), {"steps": min(s.steps, 100)})
    f = OrgModel(data, rng=7).run().metrics_frame()[COLS]
    print(name, hashlib.sha256(pd.util.hash_pandas_object(f, index=True).values).hexdigest())
