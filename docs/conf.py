"""Sphinx configuration for the skxrd documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

from sphinx_gallery.sorting import ExplicitOrder  # noqa: E402

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
# The class template (_templates/autosummary/class.rst) lists inherited
# members, so that a network's page shows the fit and predict of its skxrd base
# class; `_skip_foreign_member` below leaves out what scikit-learn, scikeras
# and keras define.
autodoc_default_options = {"members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False


def _skip_foreign_member(app, what, name, obj, skip, options):
    """Skip class members defined outside skxrd.

    Methods such as ``score``, ``get_params`` and the ``set_*_request`` methods
    that scikit-learn generates for metadata routing come with docstrings that
    refer to scikit-learn's own documentation (its glossary and user-guide
    labels), which this build cannot resolve without intersphinx.
    """
    if what != "class":
        return None
    function = getattr(obj, "fget", None) or getattr(obj, "__func__", obj)
    # Methods of built-in types (list.append) name their class, not a module.
    module = getattr(function, "__module__", None) or getattr(
        getattr(obj, "__objclass__", None), "__module__", None
    )
    if isinstance(module, str) and not module.startswith("skxrd"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_member)


# The gallery runs every example; SKXRD_EXAMPLE_SMALL makes them use small sizes.
os.environ.setdefault("SKXRD_EXAMPLE_SMALL", "1")
# TensorFlow's C++ start-up messages would otherwise fill the build log.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": ExplicitOrder(
        [
            "plot_preprocessing.py",
            "plot_pipeline.py",
            "plot_grid_search.py",
            "plot_reject_option.py",
            "plot_persistence.py",
            "plot_measured_file.py",
            "plot_cif_folder.py",
            "*",
        ]
    ),
    "download_all_examples": False,
    "remove_config_comments": True,
    # "Examples using ..." on every API page, and links from example code to
    # the API reference.
    "doc_module": ("skxrd",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"skxrd": None},
}

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
html_theme = "pydata_sphinx_theme"
html_theme_options = {"navigation_with_keys": False}
html_static_path = []
