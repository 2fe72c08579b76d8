"""Train the pretrained space-group model that ships in skxrd/models/data/.

One command, CPU only::

    python scripts/train_pretrained.py --minutes 100 --n-jobs 2

(the same as ``skxrd train --preset pretrained-space-group``): two CNNs and
a ResNet (``--architecture mixed``) on streams drawing space groups with the
Materials Project's crystal-system frequencies (``--class-prior-systems
materials-project``), weights stored as float16.  The model shipped before
it is ``--architecture cnn --class-prior-systems collections
--weights-dtype float32``.  The model
learns from streamed patterns of real structures — AFLOW prototypes, robocrys
minerals and half of the Avogadro/COD CIFs, strained, displaced and
element-substituted afresh for every pattern
(`skxrd.engine.StructurePatternSource`) — with a fifth of the batches from
random synthetic crystals (``--synthetic-fraction``).  Structures with the
formula and group of a held-out one (the other half of the Avogadro CIFs,
pymatgen's) are dropped, so ``benchmarks/bench_rruff.py`` tests on structures
never trained on.
../shared/data/rruff_dev.npz, when present, is used for two things only: the
temperature that calibrates the probabilities and the reject threshold that
leaves half of its patterns unclassified — never for training or for picking
weights (the final weights are shipped).
"""

import argparse
import logging
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from skxrd.models._recipe import train_pretrained  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=100.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--synthetic-fraction", type=float, default=0.2)
    parser.add_argument(
        "--architecture", choices=("cnn", "resnet", "mixed"), default="mixed"
    )
    parser.add_argument(
        "--class-prior-systems",
        choices=("collections", "materials-project"),
        default="materials-project",
    )
    parser.add_argument(
        "--weights-dtype", choices=("float32", "float16"), default="float16"
    )
    parser.add_argument(
        "--learning-rate-decay", choices=("constant", "cosine"), default="constant"
    )
    parser.add_argument(
        "--decay-start",
        type=float,
        default=0.0,
        help="share of the budget at the set rate before the cosine decay begins",
    )
    parser.add_argument(
        "--bootstrap",
        action="store_true",
        help="online bagging: each member weights each pattern by its own "
        "Poisson(1) count, so that the members stay apart",
    )
    parser.add_argument(
        "--output", default=ROOT / "skxrd/models/data/space-group.skxrd"
    )
    parser.add_argument("--rruff", default=ROOT.parent / "shared/data/rruff_dev.npz")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    train_pretrained(
        args.output,
        minutes=args.minutes,
        seed=args.seed,
        n_jobs=args.n_jobs,
        synthetic_fraction=args.synthetic_fraction,
        architecture=args.architecture,
        class_prior_systems=args.class_prior_systems,
        weights_dtype=args.weights_dtype,
        learning_rate_decay=args.learning_rate_decay,
        bootstrap=args.bootstrap,
        decay_start=args.decay_start,
        calibration_data=args.rruff if Path(args.rruff).exists() else None,
    )


if __name__ == "__main__":
    main()
