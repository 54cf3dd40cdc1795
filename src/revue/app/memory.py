"""Python's cyclic garbage collector and what the app keeps for long.

A full collection (generation 2) looks at every object alive: the modules, Textual's widgets
and styles, SQLAlchemy's mappers, the walk loaded — some 160,000 objects once the walk of a
120-objective review is shown, about 0.1 s, which fell within one move in ten and made the
walk's 95th centile (docs/performance.md). Once the walk is shown, what is alive then is taken
out of those passes with :func:`gc.freeze`; what moving allocates is still collected as usual.
Not at start-up: the collection before freezing would delay the first screen.
"""

from __future__ import annotations

import gc


def keep_long_lived() -> None:
    """Collect what is garbage now, then keep every object still alive out of the
    collector's passes (until :func:`release`). Objects frozen before are looked at again
    first, so nothing stays frozen once it is garbage past the next call."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def release() -> None:
    """Every frozen object is looked at by the collector again (a screen that froze its
    objects is closed: they may be garbage now)."""
    gc.unfreeze()
