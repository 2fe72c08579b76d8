"""Docstring text shared by the skxrd networks, filled in by `fill_doc`."""

__all__ = ["fill_doc"]

_SHARED = {
    "training_parameters": """\
    activation : str, default="relu"
        Keras activation of the hidden layers.
    loss : {"alternating", "quadratic", "binary_crossentropy", \
"categorical_crossentropy"}, default="alternating"
        ``"alternating"`` is the paper's scheme: the quadratic cost (eq. 4) on
        even epochs, eq. 5 on odd epochs (and, in ``partial_fit``, on
        alternate chunks).  ``"quadratic"`` and ``"binary_crossentropy"`` use
        one of the two throughout -- eq. 5 as printed is the binary
        cross-entropy summed over the output vector; ``"categorical_crossentropy"``
        is the usual :math:`-\\ln y_{l_x}`.
    optimizer : {"adam", "adamw", "nadam", "rmsprop", "sgd"} or class, \
default="adam"
        ``"adam"`` is the paper's Adam (beta1 0.9, beta2 0.999, epsilon 1e-8);
        the others are keras' defaults; a keras optimizer class is
        instantiated with ``learning_rate``.
    learning_rate : float, default=1e-3
        Step size (the paper's eta).  A new value set between ``partial_fit``
        calls (or warm-started ``fit`` calls) takes effect at the next one,
        so a caller can decay it along a stream.
    epochs : int, default=100
        Passes over the training set in ``fit`` (the paper does not say how
        many it used).
    batch_size : int, default=128
        Patterns per gradient step (not given in the paper).
    shuffle : bool, default=True
        Draw a new order of the training patterns for every epoch.
    augmenter : object with ``augment(X, random_state)`` or None, default=None
        For example `skxrd.augmentation.XRDAugmenter`.  Called on every
        training batch of every epoch with fresh random draws, in a background
        thread that prepares the next batch while the current one trains; never
        at prediction time.
    early_stopping : bool, default=False
        In ``fit`` without ``validation_data``, hold out ``validation_fraction``
        of the patterns (stratified when every class has two), stop after
        ``n_iter_no_change`` epochs without improvement, and keep the best
        weights.
    validation_fraction : float, default=0.1
        Held-out share for ``early_stopping``.
    n_iter_no_change : int, default=10
        Epochs without improvement before ``early_stopping`` stops ``fit``.
    tol : float, default=0.0
        Validation-accuracy gain that counts as an improvement.
    warm_start : bool, default=False
        If True, ``fit`` continues training the existing network, and pickles
        keep the optimizer state so training can resume after loading.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Extra keras callbacks for training.
    run_eagerly : bool, default=False
        Train without compiling a TensorFlow graph: slower per batch, but it
        saves the graph tracing (about 0.4 s per fit), which dominates for tiny
        networks and data, and eases debugging.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialization, dropout, shuffling, augmentation and the
        validation split.  An int gives reproducible results.
    verbose : int, default=0
        Keras' progress output during training (0, 1 or 2).""",
    "network_attributes": """\
    classes_ : ndarray of shape (n_classes,)
        Class labels, in the order of the output columns.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Points per pattern seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the points, when ``X`` has string column names.
    model_ : keras.Model
        The trained network.
    history_ : dict of list of float
        Training loss (and keras metrics) per epoch.
    validation_scores_ : list of float
        Validation accuracy after each epoch (or chunk), when validation data
        were given.
    best_validation_score_ : float or None
        Best of ``validation_scores_``.
    best_epoch_ : int or None
        Epoch of ``best_validation_score_``.
    n_iter_no_change_ : int
        Epochs (or chunks) since the last improvement.""",
    "network_notes": """\
    Training follows Vecsei et al. [1]_: Adam with learning rate 1e-3 and the
    cost alternating per epoch between

    .. math::

        C_{quad} = \\frac{1}{n} \\sum_x |y_x - y^c_x|^2, \\qquad
        C_{cross} = -\\frac{1}{n} \\sum_x \\left[ y^c_x \\cdot \\ln y_x
        + (1 - y^c_x) \\cdot \\ln (1 - y_x) \\right].

    Validation data are scored by accuracy (ties: lower cross-entropy),
    independently of the alternating training cost, and the best weights are
    restored at the end of ``fit``.  Pickles hold the float32 weights (and
    the optimizer state only with ``warm_start=True``) and refuse to load in an
    incompatible skxrd version.""",
    "paper_reference": """\
    .. [1] J. Vecsei, K. Choo, J. Chang and T. Neupert, "Neural network based
       classification of crystal symmetries from x-ray diffraction patterns",
       Phys. Rev. B 99, 245120 (2019).""",
}


def fill_doc(obj):
    """Replace ``%(name)s`` placeholders in ``obj.__doc__`` with the shared text.

    Examples
    --------
    >>> from skxrd.neural_network._docstring import fill_doc
    >>> class A:
    ...     '''Parameters
    ...     %(training_parameters)s'''
    >>> "learning_rate : float" in fill_doc(A).__doc__
    True
    """
    if obj.__doc__:
        # Placeholders stand indented in the docstring; the shared text brings
        # the indentation of its later lines.
        obj.__doc__ = obj.__doc__ % {k: v.lstrip(" ") for k, v in _SHARED.items()}
    return obj
