"""The ``skxrd`` command line."""

import argparse
import os
import sys

from .._version import __version__
from ._commands import PRESETS, evaluate, predict, references, simulate, train

__all__ = ["main", "build_parser"]


def _space_groups(text):
    return [int(v) for v in text.replace(",", " ").split()]


def build_parser():
    """Return the argument parser of the ``skxrd`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
        The parser with the subcommands ``demo``, ``simulate``, ``train``,
        ``evaluate`` and ``predict``; each sets ``func``, the function that
        runs it.

    See Also
    --------
    main : Parse the arguments and run the command.

    Examples
    --------
    >>> from skxrd.cli import build_parser
    >>> args = build_parser().parse_args(["predict", "pattern.xy", "--top", "3"])
    >>> args.command, args.files, args.top, args.model
    ('predict', ['pattern.xy'], 3, None)
    """
    parser = argparse.ArgumentParser(
        prog="skxrd",
        description="Classify powder X-ray diffraction patterns by crystal system and "
        "space group with neural networks.",
    )
    parser.add_argument("--version", action="version", version=f"skxrd {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "demo",
        help="the main job on an embedded default: synthetic "
        "crystals → patterns → a small ensemble → the paper's table and "
        "figures (a few minutes on 2 cores)",
    )
    p.add_argument(
        "-o",
        "--output",
        default="skxrd-demo-output",
        help="folder for the figures and report (default: %(default)s)",
    )
    p.add_argument(
        "--size",
        choices=("tiny", "small", "full"),
        default="full",
        help="'tiny' for tests (seconds), 'small' (about a minute), "
        "'full' (default, a few minutes)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument(
        "--no-progress", dest="progress", action="store_false", help="no progress bars"
    )
    p.set_defaults(func=_demo)

    p = sub.add_parser(
        "simulate", help="structures or synthetic crystals → a dataset file"
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--cif-folder", help="folder of CIF files (searched recursively)")
    what.add_argument(
        "--source",
        help="structures an installed package ships: pymatgen, "
        "robocrys, avogadro, aflow-prototypes",
    )
    what.add_argument(
        "--synthetic",
        type=int,
        metavar="N",
        help="N patterns of random synthetic crystals",
    )
    p.add_argument("-o", "--output", required=True, help="dataset file to write (.npz)")
    p.add_argument(
        "--space-groups",
        type=_space_groups,
        default=None,
        help="restrict synthetic crystals to these groups, e.g. '14,62,225'",
    )
    p.add_argument(
        "--realistic",
        action="store_true",
        help="pseudo-Voigt/Caglioti profiles, Kα2, shifts (default: the "
        "paper's Gaussians) for structure sources",
    )
    p.add_argument(
        "--augment",
        action="store_true",
        help="add the paper's noise and backgrounds (and counting noise)",
    )
    p.add_argument(
        "--n-jobs", type=int, default=1, help="parallel workers (default: 1)"
    )
    p.add_argument(
        "--variants",
        type=int,
        default=0,
        metavar="K",
        help="also K strained, substituted copies of each structure "
        "(references for search-match; default: 0)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--no-progress", dest="progress", action="store_false")
    p.set_defaults(func=simulate)

    p = sub.add_parser(
        "references",
        help="structures → a model file that pools its network with search-match "
        "against them",
    )
    p.add_argument("-o", "--output", required=True, help="model file to write (.skxrd)")
    p.add_argument(
        "-m",
        "--model",
        default=None,
        help="model file whose network and search-match settings to use "
        "(default: the pretrained space-group model)",
    )
    p.add_argument(
        "--source",
        action="append",
        help="structures an installed package ships (repeatable): pymatgen, "
        "robocrys, avogadro, aflow-prototypes; with no --source or --cif-folder, "
        "the structures the pretrained model trained on",
    )
    p.add_argument(
        "--cif-folder",
        action="append",
        help="folder of CIF files (searched recursively; repeatable)",
    )
    p.add_argument(
        "--variants",
        type=int,
        default=8,
        metavar="K",
        help="strained, substituted copies of each structure (default: 8, what "
        "the pretrained model's settings were chosen for)",
    )
    p.add_argument(
        "--n-jobs", type=int, default=1, help="parallel workers (default: 1)"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--no-progress", dest="progress", action="store_false")
    p.set_defaults(func=references)

    p = sub.add_parser("train", help="dataset file → fitted model file")
    p.add_argument(
        "dataset",
        nargs="?",
        help="dataset file from 'skxrd simulate' (none for pretrained-space-group)",
    )
    p.add_argument("-o", "--output", required=True, help="model file to write (.skxrd)")
    p.add_argument(
        "--preset",
        choices=PRESETS,
        default="small-dense",
        help="network set-up (default: %(default)s); 'paper-*' are the "
        "paper's architectures; 'pretrained-space-group' is the shipped model's "
        "recipe, which streams its own data",
    )
    p.add_argument(
        "--minutes",
        type=float,
        default=100.0,
        help="training budget of pretrained-space-group (default: %(default)s)",
    )
    p.add_argument(
        "--n-jobs",
        type=int,
        default=2,
        help="stream workers of pretrained-space-group (default: %(default)s)",
    )
    p.add_argument(
        "--calibration-data",
        default=None,
        help="measured .npz (intensity, space_group) used only to fit the "
        "temperature and the 50%%-coverage reject threshold",
    )
    p.add_argument(
        "--n-estimators",
        type=int,
        default=3,
        help="ensemble size (the paper used 10; default: %(default)s)",
    )
    p.add_argument(
        "--epochs", type=int, default=20, help="epochs (default: %(default)s)"
    )
    p.add_argument(
        "--no-augment",
        action="store_true",
        help="no fresh noise and background each epoch",
    )
    p.add_argument(
        "--reject-threshold",
        type=float,
        default=None,
        help="leave patterns below this certainty unclassified",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="no progress lines (the presets' epochs, the recipe's patterns)",
    )
    recipe = p.add_argument_group(
        "pretrained-space-group recipe",
        "levers measured in the documentation's page on the pretrained model "
        "(default: the shipped model's settings; not for the other presets)",
    )
    recipe.add_argument(
        "--architecture",
        choices=("cnn", "resnet", "mixed"),
        default=None,
        help="three CNNs, three ResNets, or two CNNs and a ResNet (shipped: mixed)",
    )
    recipe.add_argument(
        "--synthetic-fraction",
        type=float,
        default=None,
        help="share of batches of random synthetic crystals (shipped: 0.2)",
    )
    recipe.add_argument(
        "--class-prior-systems",
        choices=("collections", "materials-project"),
        default=None,
        help="crystal-system frequencies of the streams (shipped: materials-project)",
    )
    recipe.add_argument(
        "--learning-rate-decay",
        choices=("constant", "cosine"),
        default=None,
        help="Adam's step size over the budget (shipped: constant)",
    )
    recipe.add_argument(
        "--decay-start",
        type=float,
        default=None,
        help="share of the budget at the full step before the decay (default: 0)",
    )
    recipe.add_argument(
        "--bootstrap",
        action="store_true",
        default=None,
        help="online bagging: each member weights each pattern by its own "
        "Poisson(1) count (shipped: off)",
    )
    recipe.add_argument(
        "--weights-dtype",
        choices=("float32", "float16"),
        default=None,
        help="precision of the stored weights (shipped: float16)",
    )
    p.set_defaults(func=train)

    p = sub.add_parser(
        "evaluate", help="model + labelled dataset → metrics and figures"
    )
    p.add_argument("model", help="model file (.skxrd)")
    p.add_argument("dataset", help="labelled dataset file (.npz)")
    p.add_argument("--json", help="also write the metrics as JSON here")
    p.add_argument("--figures", help="write the paper's figures into this folder")
    p.add_argument(
        "--no-references",
        action="store_true",
        help="evaluate the network alone, without the search-match references "
        "the model file stores",
    )
    p.set_defaults(func=evaluate)

    p = sub.add_parser("predict", help="measured pattern files → top space groups")
    p.add_argument(
        "files",
        nargs="+",
        help="pattern files (.xy, .xye, .csv, .dat, .txt, .xrdml, RRUFF)",
    )
    p.add_argument(
        "-m",
        "--model",
        default=None,
        help="model file (default: the pretrained space-group model); one from "
        "'skxrd references' is pooled with the references it holds",
    )
    p.add_argument("--top", type=int, default=5, help="how many groups (default: 5)")
    p.add_argument(
        "--wavelength",
        default=None,
        help="wavelength (Å or e.g. CuKa) when the file does not state it",
    )
    p.add_argument(
        "--references",
        action="append",
        metavar="DATASET",
        help="dataset file of reference patterns from 'skxrd simulate' (repeatable): "
        "pool the model with search-match against them instead of the references "
        "the model file stores",
    )
    p.add_argument(
        "--no-references",
        action="store_true",
        help="the network alone, without the search-match references the model "
        "file holds (loads in half the time; less accurate on measured patterns)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=predict)
    return parser


def _demo(args):
    from ._demo import demo

    return demo(args)


def main(argv=None):
    """Run the ``skxrd`` command line; return the exit status.

    Unless the environment sets ``TF_CPP_MIN_LOG_LEVEL``, it is set to 2 to
    quiet TensorFlow's start-up messages.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments, without the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success; 1 when the command fails on a missing file or a bad
        value, 2 for a mistake the user can fix, 130 when interrupted.  The
        error is printed as one line on stderr.

    Raises
    ------
    SystemExit
        From the parser: status 0 after ``--help`` or ``--version``, 2 for
        arguments it cannot parse.

    See Also
    --------
    build_parser : The parser alone, to read arguments without running them.

    Examples
    --------
    >>> from skxrd.cli import main
    >>> try:  # doctest: +ELLIPSIS
    ...     main(["--version"])
    ... except SystemExit as exc:
    ...     status = exc.code
    skxrd ...
    >>> status
    0
    """
    # TensorFlow's C++ start-up chatter is noise to a command-line user; an
    # explicit setting in the environment still wins.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
