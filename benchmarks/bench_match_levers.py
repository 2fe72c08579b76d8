"""Two search-match levers on the query side, pooled with the shipped network.

    python benchmarks/bench_match_levers.py [--model FILE] [--top K ...]
                                            [--snip W ...] [--json OUT]

* Cell refinement (``--top K``): what Rietveld-minded search-match does after
  the first search.  For each pattern, the K references that correlate best
  (at their best isotropic lattice scale, as
  `skxrd.neighbors.PatternMatchClassifier` scores them) have their cells
  refined against it — the lattice parameters the reference's crystal system
  leaves free (a; a and c; a, b, c; plus β; plus α, β, γ), lengths within ±3%
  of the best isotropic scale, angles within ±2°, two sweeps of a grid search
  over one parameter (group) at a time, hkl and intensities fixed — and a
  class scores the better of its original correlation and its references'
  refined ones.
* Background subtraction (``--snip W``): the matcher compares the pattern
  after SNIP (statistics-sensitive non-linear iterative peak clipping, Ryan
  et al., Nucl. Instrum. Methods B 34, 396 (1988); log-log-square-root
  transform, decreasing window up to W degrees) has removed its background;
  the network reads the pattern as it is.

The references are rebuilt here with their Miller indices: the training
structures' standard cells and 8 strained, substituted copies of each
(`skxrd.models._recipe.REFERENCE_VARIANTS`, seed 0; the stored library of
``skxrd references`` up to rounding).  For each variant the matcher's weight
in the pool is chosen on the selection patterns (held-out and known-type, as
`calibrate_matching` chooses the shipped one), then the pool's temperature and
50%-coverage threshold are fitted on RRUFF as shipped.  Prints top-1 / top-5
/ crystal system / accuracy at 50% coverage (%) of the pool on RRUFF (303
measured; validation only) and on the held-out structures' patterns, and the
matcher's own top-1 on RRUFF, held-out and known-type patterns.
"""

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy.ndimage import uniform_filter1d

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from skxrd import resolve_wavelength  # noqa: E402
from skxrd._grid import TWO_THETA_STEP, two_theta_grid  # noqa: E402
from skxrd.diffraction import powder_peaks  # noqa: E402
from skxrd.engine._structure_source import (  # noqa: E402
    _lattice_matrix,
    _perturb,
    _standard_cells,
)
from skxrd.engine._variants import _reach  # noqa: E402
from skxrd.ensemble._voting import _FLOOR  # noqa: E402
from skxrd.metrics import (  # noqa: E402
    apply_temperature,
    fit_temperature,
    threshold_for_coverage,
    xrd_report,
)
from skxrd.models import load_model, load_pretrained  # noqa: E402
from skxrd.models._matching import MATCH_WEIGHTS, _best_weight  # noqa: E402
from skxrd.models._recipe import (  # noqa: E402
    REFERENCE_VARIANTS,
    load_measured_set,
    selection_patterns,
    split_structures,
)
from skxrd.neighbors import PatternMatchClassifier  # noqa: E402
from skxrd.neighbors._pattern_match import _unit_rows  # noqa: E402
from skxrd.simulation import StickDataset  # noqa: E402
from skxrd.utils._random import check_generator  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KEYS = (
    "space_group_accuracy",
    "top_5_accuracy",
    "crystal_system_accuracy",
    "accuracy_at_50_coverage",
)
# Profile of the rendered references (StickDataset.render's default Gaussian)
# and the matcher's smoothing, combined: the refined references are rendered
# straight onto the matcher's thinned grid.
REFERENCE_FWHM = 0.076
# Parameter groups stretched together, per crystal system, in the standard
# setting (indices into a, b, c, alpha, beta, gamma).
FREE = {
    "cubic": [[0, 1, 2]],
    "tetragonal": [[0, 1], [2]],
    "trigonal": [[0, 1], [2]],
    "hexagonal": [[0, 1], [2]],
    "orthorhombic": [[0], [1], [2]],
    "monoclinic": [[0], [1], [2]],
    "triclinic": [[0], [1], [2], [3], [4], [5]],
}


def references_with_hkl(training, n_jobs):
    """Reference peak lists with hkl, their cells and crystal systems."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cells = _standard_cells(training, 0.01, n_jobs=n_jobs)
    n = REFERENCE_VARIANTS["n_variants"]
    config = {
        "strain": REFERENCE_VARIANTS["strain"],
        "lattice_scale": 0.0,
        "substitution": REFERENCE_VARIANTS["substitution_probability"],
        "rescale_substituted": False,
        "displacement": 0.0,
        "debye_waller": (0.5, 0.5),
    }
    rng = check_generator(0)
    copies = [_perturb(c, rng, config) for c in cells for _ in range(n)]
    base = [
        {
            "lattice": _lattice_matrix(*c["parameters"]),
            "frac_coords": c["frac_coords"],
            "numbers": c["numbers"],
            "occupancies": c["occupancies"],
            "debye_waller": np.full(c["numbers"].size, 0.5),
            "space_group": c["space_group"],
        }
        for c in cells
    ]
    grid = two_theta_grid()
    peaks = powder_peaks(
        base + copies,
        two_theta_range=_reach((grid[0], grid[-1], grid[1] - grid[0])),
        errors="skip",
        return_hkl=True,
    )
    systems = [c["system"] for c in cells]
    return {
        "peaks": peaks,
        "lattices": np.array([c["lattice"] for c in base + copies]),
        "systems": np.array(systems + [s for s in systems for _ in range(n)]),
        "groups": np.array(
            [c["space_group"] for c in cells]
            + [c["space_group"] for c in cells for _ in range(n)]
        ),
    }


def cell_parameters(lattice):
    a, b, c = np.linalg.norm(lattice, axis=1)
    cosines = (
        lattice[1] @ lattice[2] / (b * c),
        lattice[0] @ lattice[2] / (a * c),
        lattice[0] @ lattice[1] / (a * b),
    )
    return np.array([a, b, c, *np.degrees(np.arccos(cosines))])


def peak_angles(hkl, parameters, wavelength):
    """2θ of each hkl for a cell (inf beyond the limiting sphere)."""
    reciprocal = np.linalg.inv(_lattice_matrix(*parameters)).T
    sin_theta = wavelength * np.linalg.norm(hkl @ reciprocal, axis=1) / 2
    out = np.full(len(hkl), np.inf)
    inside = sin_theta < 1
    out[inside] = 2 * np.degrees(np.arcsin(sin_theta[inside]))
    return out


class Refiner:
    """Correlation of a prepared query with a reference whose cell is refined."""

    def __init__(self, matcher, wavelength):
        self.grid = matcher._reduced_grid
        self.step = self.grid[1] - self.grid[0]
        self.sigma = np.hypot(REFERENCE_FWHM / 2.3548, matcher.smoothing)
        self.half = int(np.ceil(4 * self.sigma / self.step))
        self.power = matcher.intensity_power
        self.wavelength = wavelength

    def render(self, angles, intensities):
        """Rows of peaks at ``angles`` (n_trials, n_peaks), prepared as the matcher's."""
        n_trials = len(angles)
        size = len(self.grid)
        centre = np.rint((angles - self.grid[0]) / self.step).astype(np.int64)
        rows = (np.arange(n_trials) * size)[:, None]
        where, weights = [], []
        for offset in range(-self.half, self.half + 1):
            index = centre + offset
            inside = (index >= 0) & (index < size) & np.isfinite(angles)
            x = self.grid[np.clip(index, 0, size - 1)]
            w = intensities[None, :] * np.exp(-0.5 * ((x - angles) / self.sigma) ** 2)
            where.append((rows + index)[inside])
            weights.append(w[inside])
        Y = np.bincount(
            np.concatenate(where), np.concatenate(weights), minlength=n_trials * size
        ).reshape(n_trials, size)
        Y = np.clip(Y, 0, None) ** self.power
        Y -= Y.mean(axis=1, keepdims=True)
        return Y / np.maximum(np.linalg.norm(Y, axis=1, keepdims=True), 1e-12)

    def refine(self, query, hkl, intensities, parameters, system, scale):
        start = parameters.copy()
        start[:3] *= scale
        groups = list(FREE[system])
        if system == "monoclinic":
            groups.append([3 + int(np.argmax(np.abs(parameters[3:] - 90)))])
        lengths = np.linspace(-0.03, 0.03, 31)
        angles = np.linspace(-2.0, 2.0, 21)
        best_p = start
        best = float(
            self.render(peak_angles(hkl, start, self.wavelength)[None], intensities)[0]
            @ query
        )
        for _ in range(2):
            for group in groups:
                trials = []
                for delta in lengths if group[0] < 3 else angles:
                    p = best_p.copy()
                    p[group] = (
                        start[group] * (1 + delta)
                        if group[0] < 3
                        else start[group] + delta
                    )
                    trials.append(p)
                T = np.array([peak_angles(hkl, p, self.wavelength) for p in trials])
                r = self.render(T, intensities) @ query
                k = int(np.argmax(r))
                if r[k] > best:
                    best, best_p = float(r[k]), trials[k]
        return best


def _refine_chunk(refiner, queries, S, scales, refs, top):
    peaks = refs["peaks"]
    out = []
    for query, s, scale in zip(queries, S, scales, strict=True):
        rows = []
        for j in np.argsort(-s)[:top]:
            a, b = peaks.offsets[j], peaks.offsets[j + 1]
            r = refiner.refine(
                query,
                peaks.hkl[a:b].astype(float),
                peaks.intensities[a:b],
                cell_parameters(refs["lattices"][j]),
                str(refs["systems"][j]),
                scale[j],
            )
            rows.append((j, r))
        out.append(rows)
    return out


def snip_background(X, window):
    """SNIP background of each row of X (scaled to a maximum of 1000)."""
    v = uniform_filter1d(np.clip(X, 0, None), 5, axis=1, mode="nearest")
    v = np.log(np.log(np.sqrt(v + 1) + 1) + 1)
    n = v.shape[1]
    for p in range(window, 0, -1):
        clipped = v.copy()
        clipped[:, p : n - p] = 0.5 * (v[:, : n - 2 * p] + v[:, 2 * p :])
        np.minimum(v, clipped, out=v)
    return (np.exp(np.exp(v) - 1) - 1) ** 2 - 1


def without_background(X, degrees):
    top = np.maximum(X.max(axis=1, keepdims=True), 1e-12)
    X = 1000 * np.asarray(X, dtype=float) / top
    background = snip_background(X, int(round(degrees / TWO_THETA_STEP)))
    return (np.clip(X - background, 0, None) * top / 1000).astype(np.float32)


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def geometric_pool(P_net, P_match, weight):
    log = (1 - weight) * np.log(np.maximum(P_net, _FLOOR)) + weight * np.log(
        np.maximum(P_match, _FLOOR)
    )
    return softmax(log)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="model file (default: shipped)")
    parser.add_argument("--rruff", default=ROOT.parent / "shared/data/rruff_dev.npz")
    parser.add_argument("--top", type=int, nargs="*", default=[10, 20])
    parser.add_argument("--snip", type=float, nargs="*", default=[0.5, 1.0, 2.0])
    parser.add_argument("--json", default=None)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    start = time.perf_counter()
    if args.model is None:
        model = load_pretrained(references=None)
    else:
        model = load_model(args.model, references=None)
    matching = model.skxrd_metadata_["matching"]
    training, held_out = split_structures(n_jobs=args.n_jobs)
    refs = references_with_hkl(training, args.n_jobs)
    sticks = StickDataset(
        refs["peaks"].positions,
        refs["peaks"].intensities,
        refs["peaks"].offsets,
        refs["groups"],
        wavelength="CuKa",
    )
    X_ref = np.vstack(
        [sticks[i : i + 1000].render() for i in range(0, len(sticks), 1000)]
    )
    # Every reference keeps its row, so that row j is peak list j (a copy
    # without a peak on the grid correlates with nothing).
    matcher = PatternMatchClassifier(
        classes=np.union1d(model.classes_, refs["groups"]), **matching["matcher"]
    ).fit(X_ref, refs["groups"])
    del X_ref
    classes = matcher.classes_
    if not np.array_equal(classes, model.classes_):
        parser.error("the references name groups the network does not know")
    sets = {
        "rruff": load_measured_set(args.rruff),
        "selection": selection_patterns(held_out, training),
    }
    n_held = len(sets["selection"][1]) // 2
    wavelength = resolve_wavelength("CuKa")
    refiner = Refiner(matcher, wavelength)
    scores = {}  # variant -> set -> matcher class scores
    P_net = {}
    for name, (X, _) in sets.items():
        P_net[name] = model.predict_proba(X)
        S, scale = (np.vstack(part) for part in zip(*matcher._batches(X), strict=True))
        base = matcher._scores_of(S)
        scores.setdefault("search-match as shipped", {})[name] = base
        prepared = _unit_rows(matcher._prepare(X, two_theta_grid()))
        if args.top:
            chunks = np.array_split(np.arange(len(X)), 8 * args.n_jobs)
            parts = Parallel(n_jobs=args.n_jobs)(
                delayed(_refine_chunk)(
                    refiner, prepared[c], S[c], scale[c], refs, max(args.top)
                )
                for c in chunks
            )
            refined = [rows for part in parts for rows in part]
            for top in args.top:
                out = base.copy()
                for n, rows in enumerate(refined):
                    for j, r in rows[:top]:
                        column = np.searchsorted(classes, refs["groups"][j])
                        out[n, column] = max(out[n, column], r)
                scores.setdefault(f"cells refined, best {top}", {})[name] = out
        for window in args.snip:
            S_bg = np.vstack(
                [s for s, _ in matcher._batches(without_background(X, window))]
            )
            scores.setdefault(f"SNIP background removed, {window:g}°", {})[name] = (
                matcher._scores_of(S_bg)
            )
        print(f"{name}: {time.perf_counter() - start:.0f} s", flush=True)
    y_rruff, y_sel = sets["rruff"][1], sets["selection"][1]
    rows = []
    for variant, by_set in scores.items():
        P_match = {n: matcher._proba_of(s) for n, s in by_set.items()}
        pools = {
            w: geometric_pool(P_net["selection"], P_match["selection"], w)
            for w in MATCH_WEIGHTS
        }
        weight, losses = _best_weight(pools, y_sel, classes)
        pooled = geometric_pool(P_net["rruff"], P_match["rruff"], weight)
        temperature = round(float(fit_temperature(y_rruff, pooled, labels=classes)), 3)
        pooled = apply_temperature(pooled, temperature)
        threshold = round(float(threshold_for_coverage(pooled, 0.5)), 4)
        rruff = xrd_report(y_rruff, pooled, labels=classes, reject_threshold=threshold)
        held = xrd_report(
            y_sel[:n_held],
            apply_temperature(pools[weight][:n_held], temperature),
            labels=classes,
        )
        alone = {
            part: round(
                100 * xrd_report(y, P, labels=classes)["space_group_accuracy"], 1
            )
            for part, y, P in (
                ("rruff", y_rruff, P_match["rruff"]),
                ("held_out", y_sel[:n_held], P_match["selection"][:n_held]),
                ("known_type", y_sel[n_held:], P_match["selection"][n_held:]),
            )
        }
        row = {
            "variant": variant,
            "weight": weight,
            "selection_log_loss": round(losses[weight], 4),
            "temperature": temperature,
            "pooled_rruff": [round(100 * rruff[k], 1) for k in KEYS],
            "pooled_held_out": [round(100 * held[k], 1) for k in KEYS],
            "match_alone_top1": alone,
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
