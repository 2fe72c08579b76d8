"""The ``skxrd`` command line: demo, simulate, train, evaluate, predict."""

from ._main import build_parser, main

__all__ = ["build_parser", "main"]
