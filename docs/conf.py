"""Sphinx configuration for the skxrd documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import skxrd  # noqa: E402

project = "skxrd"
author = "The skxrd developers"
copyright = "2026, The skxrd developers"
version = release = skxrd.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

# No intersphinx: the docs must build on machines without internet access, and
# an unreachable inventory is a warning, which -W turns into a failure.
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# The gallery runs every example; SKXRD_EXAMPLE_SMALL makes them use small sizes.
os.environ.setdefault("SKXRD_EXAMPLE_SMALL", "1")
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
}

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
html_theme = "pydata_sphinx_theme"
html_theme_options = {"navigation_with_keys": False}
html_static_path = []
