"""One way to turn a ``random_state`` into a numpy Generator."""

import numpy as np

__all__ = ["check_generator"]


def check_generator(random_state):
    """A numpy Generator from None, an int, a SeedSequence, a Generator or a RandomState.

    A Generator is returned unchanged, so one passed down through several calls
    keeps drawing fresh numbers.  A legacy ``RandomState`` (scikit-learn's
    ``check_random_state`` gives those) seeds a new Generator from one draw, so
    that it too gives reproducible results.

    Parameters
    ----------
    random_state : None, int, SeedSequence, Generator or RandomState
        The source of randomness.

    Returns
    -------
    rng : numpy.random.Generator
        The generator to draw from.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.utils._random import check_generator
    >>> rng = np.random.default_rng(0)
    >>> check_generator(rng) is rng
    True
    >>> float(check_generator(3).random()) == float(check_generator(3).random())
    True
    """
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(2**32, dtype=np.uint64))
    return np.random.default_rng(random_state)
