"""Time and memory of loading a model file that stores search-match references.

    skxrd references -o pooled.skxrd --n-jobs 2
    python benchmarks/bench_load.py pooled.skxrd [--repeats 3]

Each load runs in a fresh process (peak memory is per process): ``load_model``
with the stored references (rendered on the grid, the matcher prepared) against
``load_model(path, references=None)``, the network alone, in the same run; then
one prediction.  Prints the median seconds and peak resident memory of each and
their ratios.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = """
import json, resource, sys, time
import numpy as np
from skxrd.models import load_model
start = time.perf_counter()
model = load_model(sys.argv[1], references=None if sys.argv[2] == "network" else "stored")
loaded = time.perf_counter() - start
X = np.zeros((1, model.n_features_in_), dtype=np.float32)
X[0, 1000] = 1.0
start = time.perf_counter()
model.predict_proba(X)
print(json.dumps({
    "load_s": loaded,
    "predict_s": time.perf_counter() - start,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "model": type(model).__name__,
}))
"""


def measure(path, what):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), what],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="a model file written by 'skxrd references'")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = {}
    for what in ("network", "pooled"):
        runs = [measure(args.model, what) for _ in range(args.repeats)]
        rows[what] = {
            key: statistics.median(r[key] for r in runs)
            for key in ("load_s", "predict_s", "peak_mb")
        }
        rows[what]["model"] = runs[0]["model"]
    for what, row in rows.items():
        print(json.dumps({"load": what, **{k: row[k] for k in row}}))
    base = rows["network"]
    print(
        json.dumps(
            {
                "pooled / network": {
                    key: round(rows["pooled"][key] / base[key], 2)
                    for key in ("load_s", "peak_mb")
                }
            }
        )
    )


if __name__ == "__main__":
    main()
