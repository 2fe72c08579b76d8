"""Benchmark the random-crystal generator: speed per core and label agreement.

Measures, in one run:

* the generation rate of ``skxrd.synthetic.CrystalGenerator`` on all 230
  groups in turn (median of ``--repeats`` runs, CPU time of this single
  process, BLAS limited to one thread), against pyxtal's ``from_random`` on a
  sample of the same groups with the same compositions (the baseline);
* the agreement between the requested space group and the one found by
  pymatgen's ``SpacegroupAnalyzer(structure, symprec=0.01)`` on
  ``--per-group`` crystals of every group (default 50, i.e. 11,500 crystals),
  overall, per crystal system and for the worst groups.

Usage::

    python benchmarks/bench_generator.py [--per-group 50] [--repeats 5]
        [--timing-rounds 4] [--pyxtal-step 5] [--seed 0] [--json PATH]
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections import Counter  # noqa: E402

import numpy as np  # noqa: E402

from skxrd.synthetic import CrystalGenerator  # noqa: E402

SYSTEM_FIRST_GROUP = (1, 3, 16, 75, 143, 168, 195)
SYSTEMS = (
    "triclinic",
    "monoclinic",
    "orthorhombic",
    "tetragonal",
    "trigonal",
    "hexagonal",
    "cubic",
)


def time_generator(rounds, repeats, seed):
    """Median crystals per CPU second over *repeats* runs of all 230 groups x rounds."""
    groups = np.tile(np.arange(1, 231), rounds)
    rates, wall_rates = [], []
    for repeat in range(repeats):
        generator = CrystalGenerator(random_state=seed + repeat)
        generator.generate(1)  # load the tables and prior outside the timing
        cpu, wall = time.process_time(), time.perf_counter()
        generator.generate_batch(groups)
        rates.append(len(groups) / (time.process_time() - cpu))
        wall_rates.append(len(groups) / (time.perf_counter() - wall))
    return float(np.median(rates)), float(np.median(wall_rates)), len(groups)


def time_pyxtal(groups, seed):
    """pyxtal from_random on the groups, with compositions of our crystals."""
    from pymatgen.core import Element
    from pyxtal import pyxtal

    generator = CrystalGenerator(random_state=seed)
    times, structures, failures = [], [], 0
    for group in groups:
        numbers, counts = np.unique(
            generator.generate(int(group)).numbers, return_counts=True
        )
        species = [Element.from_Z(int(z)).symbol for z in numbers]
        crystal = pyxtal()
        start = time.process_time()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                crystal.from_random(3, int(group), species, counts.tolist())
            valid = crystal.valid
        except Exception:  # noqa: BLE001 - pyxtal raises many types on failure
            valid = False
        times.append(time.process_time() - start)
        if valid:
            structures.append((int(group), crystal.to_pymatgen()))
        else:
            failures += 1
    rate = len(structures) / sum(times)
    return rate, float(np.median(times)), failures, structures


def detected_group(structure):
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    # pymatgen warns about noble gases lacking electronegativities; irrelevant.
    warnings.filterwarnings("ignore", message="No Pauling electronegativity")

    try:
        return SpacegroupAnalyzer(structure, symprec=0.01).get_space_group_number()
    except Exception:  # noqa: BLE001 - spglib failing counts as a disagreement
        return 0


def measure_agreement(per_group, seed):
    """Requested vs detected group for per_group crystals of every group."""
    generator = CrystalGenerator(random_state=seed)
    requested = np.repeat(np.arange(1, 231), per_group)
    detected = np.array(
        [detected_group(c.to_structure()) for c in generator.generate_batch(requested)]
    )
    return requested, detected


def summarize_agreement(requested, detected, n_worst=10):
    agree = requested == detected
    per_group = {
        int(g): float(agree[requested == g].mean()) for g in np.unique(requested)
    }
    system = np.searchsorted(SYSTEM_FIRST_GROUP, requested, side="right") - 1
    worst = sorted(per_group, key=lambda g: (per_group[g], g))[:n_worst]
    return {
        "n_crystals": int(len(requested)),
        "agreement": float(agree.mean()),
        "groups_at_100_percent": int(sum(v == 1.0 for v in per_group.values())),
        "per_system": {
            name: float(agree[system == i].mean()) for i, name in enumerate(SYSTEMS)
        },
        "worst_groups": [
            {
                "group": g,
                "agreement": per_group[g],
                "detected": dict(Counter(detected[(requested == g) & ~agree].tolist())),
            }
            for g in worst
        ],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-group", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--timing-rounds", type=int, default=4)
    parser.add_argument(
        "--pyxtal-step",
        type=int,
        default=5,
        help="pyxtal baseline on groups 1, 1+step, ... (0: skip)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=str, default=None)
    args = parser.parse_args(argv)

    rate, wall_rate, n_timed = time_generator(
        args.timing_rounds, args.repeats, args.seed
    )
    result = {
        "skxrd_crystals_per_cpu_second": rate,
        "skxrd_crystals_per_wall_second": wall_rate,
        "skxrd_timed_crystals_per_run": n_timed,
        "repeats": args.repeats,
    }
    print(
        f"{'generator':<10} {'crystals/s/core':>16} {'ms/crystal':>11} "
        f"{'vs pyxtal':>10}"
    )
    if args.pyxtal_step:
        groups = np.arange(1, 231, args.pyxtal_step)
        py_rate, py_median, py_failures, structures = time_pyxtal(
            groups, args.seed + 99
        )
        py_agree = np.mean([detected_group(s) == g for g, s in structures])
        result.update(
            pyxtal_crystals_per_cpu_second=py_rate,
            pyxtal_median_seconds=py_median,
            pyxtal_attempts=int(len(groups)),
            pyxtal_failures=py_failures,
            pyxtal_agreement=float(py_agree),
            speedup=rate / py_rate,
        )
        print(
            f"{'pyxtal':<10} {py_rate:>16.1f} {1e3 / py_rate:>11.2f} {1.0:>10.1f}"
            f"   ({len(groups)} groups, {py_failures} failed, "
            f"agreement {100 * py_agree:.1f}%)"
        )
    speedup = result.get("speedup", float("nan"))
    print(
        f"{'skxrd':<10} {rate:>16.1f} {1e3 / rate:>11.3f} {speedup:>10.1f}"
        f"   (median of {args.repeats} runs of {n_timed}; wall {wall_rate:.0f}/s)"
    )

    requested, detected = measure_agreement(args.per_group, args.seed + 1000)
    summary = summarize_agreement(requested, detected)
    result["agreement"] = summary
    print(
        "\nSpacegroupAnalyzer(symprec=0.01) agrees on "
        f"{100 * summary['agreement']:.2f}% "
        f"of {summary['n_crystals']} crystals; {summary['groups_at_100_percent']}/230 "
        "groups at 100%"
    )
    for name, value in summary["per_system"].items():
        print(f"  {name:<13} {100 * value:6.2f}%")
    print("worst groups (group: agreement, detected instead):")
    for row in summary["worst_groups"]:
        print(f"  {row['group']:>3}: {100 * row['agreement']:5.1f}%  {row['detected']}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result, handle, indent=1)


if __name__ == "__main__":
    main()
