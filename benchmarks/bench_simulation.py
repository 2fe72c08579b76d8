"""Benchmark: structures -> broadened patterns, skxrd against the obvious baseline.

On the same structures, in one run:

1. baseline — what a user would write: pymatgen ``XRDCalculator.get_pattern``
   and a full Gaussian over the whole 8500-point grid for every peak;
2. skxrd — ``structure_peaks`` (pymatgen's physics, no hkl bookkeeping) and
   one windowed ``render_patterns`` call for the batch, with the same σ;
3. both again with space-group labels (``SpacegroupAnalyzer``, symprec 0.01):
   the baseline plus labels against ``simulate_patterns`` with n_jobs=1, 2;
4. re-rendering the cached sticks (paper's Gaussian and the realistic
   ``ProfileSampler``), in patterns per second.

Single-core timings run with BLAS limited to one thread.  Medians of
``--repeats`` runs; the load average is printed, since other work on the
machine slows every figure.

Run::

    python benchmarks/bench_simulation.py --json bench_simulation.json
"""

import argparse
import glob
import json
import os
import statistics
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from skxrd import two_theta_grid
from skxrd.simulation import (
    GaussianWidthSampler,
    ProfileParameters,
    ProfileSampler,
    StickDataset,
    compute_sticks,
    simulate_patterns,
    space_group_label,
    structure_peaks,
)

AVOGADRO = "/usr/share/avogadro2/crystals"


def load_structures(n, seed):
    """`n` structures: Avogadro's CIFs when installed, else pyxtal crystals."""
    from pymatgen.core import Structure

    paths = sorted(glob.glob(os.path.join(AVOGADRO, "**", "*.cif"), recursive=True))
    rng = np.random.default_rng(seed)
    structures, names = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in rng.permutation(paths):
            try:
                structure = Structure.from_file(path)
            except Exception:  # noqa: BLE001 - a benchmark keeps the CIFs that parse
                continue
            # Keep structures that both paths handle: peaks in range, a label.
            try:
                space_group_label(structure)
            except Exception:  # noqa: BLE001
                continue
            if structure_peaks(structure)[0].size:
                structures.append(structure)
                names.append(os.path.relpath(path, AVOGADRO))
            if len(structures) == n:
                return structures, names, "avogadro2 CIFs"
    return _pyxtal_structures(n, seed)


def _pyxtal_structures(n, seed):
    from pyxtal import pyxtal

    rng = np.random.default_rng(seed)
    structures = []
    while len(structures) < n:
        crystal = pyxtal()
        group = int(rng.integers(1, 231))
        try:
            crystal.from_random(
                3, group, ["Si", "O"], [4, 8], seed=int(rng.integers(2**31))
            )
        except Exception:  # noqa: BLE001 - pyxtal fails on incompatible counts
            continue
        structures.append(crystal.to_pymatgen())
    return structures, [f"pyxtal-{i}" for i in range(n)], "pyxtal random crystals"


def baseline(structures, sigmas, grid, labels=False):
    """XRDCalculator + a full Gaussian per peak over the whole grid."""
    from pymatgen.analysis.diffraction.xrd import XRDCalculator
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    calculator = XRDCalculator(wavelength="CuKa")
    X = np.zeros((len(structures), grid.size))
    for i, (structure, sigma) in enumerate(zip(structures, sigmas, strict=True)):
        pattern = calculator.get_pattern(structure, two_theta_range=(5, 90))
        for x, y in zip(pattern.x, pattern.y, strict=True):
            X[i] += y * np.exp(-0.5 * ((grid - x) / sigma) ** 2)
        X[i] /= X[i].max()
        if labels:
            SpacegroupAnalyzer(structure, symprec=0.01).get_space_group_number()
    return X


def skxrd_patterns(structures, sigmas):
    """skxrd without labels: sticks per structure, one batched render."""
    peaks = [structure_peaks(s) for s in structures]
    offsets = np.concatenate([[0], np.cumsum([p[0].size for p in peaks])])
    return StickDataset(
        np.concatenate([p[0] for p in peaks]),
        np.concatenate([p[1] for p in peaks]),
        offsets,
        labels=np.ones(len(peaks), dtype=int),
    ).render(ProfileParameters.gaussian(sigmas))


def measure(label, function, repeats, items, baseline_of=None):
    """Median wall-clock and CPU seconds of `repeats` calls, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    row = {
        "label": label,
        "wall_s": statistics.median(walls),
        "cpu_s": statistics.median(cpus),
        "wall_runs": walls,
        "items": items,
        "baseline": baseline_of,
    }
    return row, result


def compare(structures, sigmas, grid, args):
    """Structure -> pattern, without labels: baseline against skxrd."""
    profile = ProfileParameters.gaussian(sigmas)
    n = len(structures)
    with threadpool_limits(1):
        base, X_base = measure(
            "baseline: XRDCalculator + full Gaussian",
            lambda: baseline(structures, sigmas, grid),
            args.baseline_repeats,
            n,
        )
        ours, X_ours = measure(
            "skxrd: structure_peaks + render_patterns",
            lambda: skxrd_patterns(structures, sigmas),
            args.repeats,
            n,
            base["label"],
        )
        _, (X_sim, _, _) = measure(
            "simulate_patterns",
            lambda: simulate_patterns(structures, profile=profile, progress=False),
            1,
            n,
        )
    extra = {
        "max_abs_diff": float(np.abs(X_base - X_ours).max()),
        "max_abs_diff_simulate_patterns": float(np.abs(X_base - X_sim).max()),
    }
    return [base, ours], extra


def with_labels(structures, sigmas, grid, args):
    """Patterns and space-group labels: baseline + SpacegroupAnalyzer against
    simulate_patterns on one and two processes."""
    profile = ProfileParameters.gaussian(sigmas)
    n = len(structures)

    def simulate(n_jobs):
        return simulate_patterns(
            structures, profile=profile, n_jobs=n_jobs, progress=False
        )

    with threadpool_limits(1):
        base, _ = measure(
            "baseline + SpacegroupAnalyzer labels",
            lambda: baseline(structures, sigmas, grid, labels=True),
            args.baseline_repeats,
            n,
        )
        one, _ = measure(
            "simulate_patterns n_jobs=1 (labels)",
            lambda: simulate(1),
            args.repeats,
            n,
            base["label"],
        )
    # joblib's loky workers limit their own BLAS threads to one.
    workers_before = _workers_cpu()
    two, _ = measure(
        "simulate_patterns n_jobs=2 (labels)",
        lambda: simulate(2),
        args.repeats,
        n,
        base["label"],
    )
    extra = {"n_jobs_2_scaling": one["wall_s"] / two["wall_s"]}
    if workers_before is not None:
        # Total CPU of the parallel run: how much work the two processes
        # share, whatever else runs on the machine.
        workers = (_workers_cpu() - workers_before) / args.repeats
        extra["n_jobs_2_workers_cpu_s"] = workers
        extra["n_jobs_2_total_cpu_s"] = workers + two["cpu_s"]
        extra["n_jobs_1_cpu_s"] = one["cpu_s"]
    return [base, one, two], extra


def _workers_cpu():
    """CPU seconds used so far by this process's children (None without psutil)."""
    try:
        import psutil
    except ImportError:
        return None
    children = psutil.Process().children(recursive=True)
    return sum(sum(child.cpu_times()[:2]) for child in children)


def rerender(structures, args):
    """Re-rendering cached sticks: all structures, and those of 50-150 peaks."""
    sticks = compute_sticks(structures, progress=False)
    counts = np.diff(sticks.offsets)
    typical = sticks[(counts >= 50) & (counts <= 150)]
    rows, extra = [], {}
    for name, subset in (("all", sticks), ("50-150 peaks", typical)):
        big = StickDataset.concatenate(
            [subset] * -(-args.render_patterns // len(subset))
        )
        mean_peaks = float(np.diff(big.offsets).mean())
        extra[f"render_mean_peaks_{name}"] = mean_peaks
        for profile_name, sampler in (
            ("paper Gaussian", GaussianWidthSampler()),
            ("ProfileSampler", ProfileSampler()),
        ):
            with threadpool_limits(1):
                row, _ = measure(
                    f"render {len(big)} x {name} ({mean_peaks:.0f} pk), {profile_name}",
                    lambda big=big, sampler=sampler: big.render(
                        sampler, random_state=1
                    ),
                    args.repeats,
                    len(big),
                )
            rows.append(row)
    return rows, extra


def print_table(rows, header):
    print(header)
    print(
        f"{'path':58s} {'wall s':>8s} {'cpu s':>8s} {'items/s':>8s} "
        f"{'ratio':>6s} {'cpu ratio':>9s}"
    )
    by_label = {row["label"]: row for row in rows}
    for row in rows:
        ratio = cpu_ratio = ""
        if row["baseline"]:
            base = by_label[row["baseline"]]
            ratio = f"{base['wall_s'] / row['wall_s']:.1f}x"
            # CPU time of the parent process alone means nothing with workers.
            if "n_jobs=2" not in row["label"]:
                cpu_ratio = f"{base['cpu_s'] / row['cpu_s']:.1f}x"
        print(
            f"{row['label']:58s} {row['wall_s']:8.3f} {row['cpu_s']:8.3f} "
            f"{row['items'] / row['wall_s']:8.0f} {ratio:>6s} {cpu_ratio:>9s}"
        )


PARTS = {"compare": compare, "labels": with_labels, "render": rerender}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-structures", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--baseline-repeats", type=int, default=3)
    parser.add_argument("--render-patterns", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--parts", nargs="+", choices=sorted(PARTS), default=list(PARTS)
    )
    parser.add_argument("--json", help="write the figures to this JSON file")
    args = parser.parse_args()

    load_before = os.getloadavg()
    structures, _, source = load_structures(args.n_structures, args.seed)
    grid = two_theta_grid()
    fwhm = np.sqrt(GaussianWidthSampler().sample(len(structures), args.seed).w)
    sigmas = fwhm / (2 * np.sqrt(2 * np.log(2)))
    n_peaks = np.array([structure_peaks(s)[0].size for s in structures])
    # Untimed warm-up: first calls import pymatgen's diffraction and symmetry
    # modules (about a second) and start the worker pool.
    baseline(structures[:3], sigmas[:3], grid, labels=True)
    simulate_patterns(structures, n_jobs=2, progress=False)

    rows, results = [], {}
    for part in args.parts:
        arguments = (
            (structures, args) if part == "render" else (structures, sigmas, grid, args)
        )
        part_rows, extra = PARTS[part](*arguments)
        rows += part_rows
        results.update(extra)
    load_after = os.getloadavg()
    header = (
        f"{len(structures)} structures ({source}): median "
        f"{np.median([len(s) for s in structures]):.0f} atoms, "
        f"{np.median(n_peaks):.0f} peaks (mean {n_peaks.mean():.0f}); "
        f"{os.cpu_count()} CPUs, 1-min load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after"
    )
    print_table(rows, header)
    for key, value in results.items():
        print(f"{key}: {value:.3g}")
    if args.json:
        results.update(
            source=source,
            n_structures=len(structures),
            median_peaks=float(np.median(n_peaks)),
            mean_peaks=float(n_peaks.mean()),
            load_average_before=load_before,
            load_average_after=load_after,
            rows=rows,
        )
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
