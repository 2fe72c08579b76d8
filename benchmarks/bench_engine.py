"""Throughput of the training-data engine against the pyxtal + pymatgen route.

    python benchmarks/bench_engine.py [--batches 5] [--baseline 30] [--json OUT]

skxrd: `SyntheticPatternSource` (random crystal of a uniformly drawn space group →
vectorized diffraction with random preferred orientation → realistic profile →
paper background, counting noise and uniform noise → 8500-point pattern), one
process. Baseline, on the same space groups: pyxtal ``from_random`` →
pymatgen ``XRDCalculator`` → the same windowed renderer (FACTS.md §8 measured
6.8 crystals/s per core for this route). Both timed in CPU seconds of this
process (``time.process_time``), so that other load on the machine matters less;
medians over several batches.
"""

import argparse
import json
import time
import warnings

import numpy as np

from skxrd.augmentation import XRDAugmenter
from skxrd.engine import SyntheticPatternSource
from skxrd.simulation import ProfileSampler, render_patterns


def engine_rate(n_batches, batch_size, seed):
    source = SyntheticPatternSource(
        batch_size=batch_size,
        random_state=seed,
        augmenter=XRDAugmenter(counts=(1e2, 1e4)),
    )
    rates, groups = [], []
    batches = source.batches(n_batches + 1)
    next(batches)  # warm-up: tables loaded, caches filled
    for _ in range(n_batches):
        t = time.process_time()
        X, y = next(batches)
        rates.append(len(y) / (time.process_time() - t))
        groups.extend(y.tolist())
    return float(np.median(rates)), rates, groups


def baseline_rate(groups, seed):
    from pymatgen.analysis.diffraction.xrd import XRDCalculator
    from pyxtal import pyxtal

    rng = np.random.default_rng(seed)
    calculator = XRDCalculator()
    made, cpu, failed = 0, 0.0, 0
    for group in groups:
        t = time.process_time()
        crystal = pyxtal()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                crystal.from_random(3, int(group), ["Na", "Cl"], [4, 4])
                structure = crystal.to_pymatgen()
            except Exception:  # noqa: BLE001 - pyxtal fails on many compositions
                failed += 1
                cpu += time.process_time() - t
                continue
        pattern = calculator.get_pattern(structure, two_theta_range=(5, 90))
        render_patterns(
            np.asarray(pattern.x),
            np.asarray(pattern.y),
            np.array([0, len(pattern.x)]),
            ProfileSampler(),
            random_state=rng,
        )
        cpu += time.process_time() - t
        made += 1
    return made / cpu, made, failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument(
        "--baseline", type=int, default=30, help="crystals for the pyxtal baseline"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    rate, rates, groups = engine_rate(args.batches, args.batch_size, args.seed)
    sample = np.random.default_rng(args.seed).choice(
        groups, args.baseline, replace=False
    )
    base, made, failed = baseline_rate(sample, args.seed)
    print(
        f"skxrd engine     {rate:8.1f} patterns per CPU-second "
        f"(median of {args.batches} batches of {args.batch_size}; "
        f"range {min(rates):.0f}–{max(rates):.0f})"
    )
    print(
        f"pyxtal+pymatgen  {base:8.1f} patterns per CPU-second "
        f"({made} made, {failed} pyxtal failures counted in the time)"
    )
    print(f"ratio            {rate / base:8.1f}×")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {
                    "engine_per_cpu_s": rate,
                    "engine_batches": rates,
                    "baseline_per_cpu_s": base,
                    "ratio": rate / base,
                },
                f,
                indent=2,
            )


if __name__ == "__main__":
    main()
