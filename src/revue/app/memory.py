"""Python's cyclic garbage collector and what the app keeps for long.

A full collection (generation 2) looks at every object alive: the modules, Textual's widgets
and styles, SQLAlchemy's mappers, the walk loaded — some 160,000 objects once the walk of a
120-objective review is shown, about 0.1 s, which fell within one move in ten and made the
walk's 95th centile (docs/performance.md). Once the walk is shown, what is alive then is taken
out of those passes with :func:`gc.freeze`; what moving allocates is still collected as usual.
Not at start-up: the collection before freezing would delay the first screen.

What a move allocates is still collected, but not between the key and the paint: Textual
pauses the collector while it scrolls smoothly (``App.PAUSE_GC_ON_SCROLL``), and the walk does
the same from a move until the objective is on screen (:func:`pause_until_painted`). The
collections that fell within one move in three (the younger generations, 3 to 6 ms) and one in
thirty (the oldest, 15 to 30 ms) then run just after the paint, while the user reads.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Protocol

#: Seconds after which the collector runs again even if no paint came (a screen closed
#: meanwhile, say): a pause never outlives a move by much.
LONGEST_PAUSE = 1.0

#: Pauses not ended yet (the collector was on when the first began).
_pauses: set[object] = set()


class _Refreshing(Protocol):
    def call_after_refresh(self, callback: Callable[[], None], /) -> bool: ...
    def set_timer(self, delay: float, callback: Callable[[], None], /) -> object: ...


def keep_long_lived() -> None:
    """Collect what is garbage now, then keep every object still alive out of the
    collector's passes (until :func:`release`). Objects frozen before are looked at again
    first, so nothing stays frozen once it is garbage past the next call."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def release() -> None:
    """Every frozen object is looked at by the collector again (a screen that froze its
    objects is closed: they may be garbage now), and the collector is on again if a pause
    kept it off."""
    gc.unfreeze()
    if _pauses:
        _pauses.clear()
        gc.enable()


def pause_until_painted(app: _Refreshing) -> None:
    """Keep the cyclic collector off until ``app`` has painted what is being changed now
    (after the screen's next refresh), or for :data:`LONGEST_PAUSE` seconds at most; closing
    the walk or the app (:func:`release`) ends every pause. If the collector is already off
    (Textual scrolling, or the user's own choice), nothing changes."""
    if not _pauses and not gc.isenabled():
        return
    token = object()
    _pauses.add(token)
    gc.disable()

    def end() -> None:
        if token in _pauses:
            _pauses.discard(token)
            if not _pauses:
                gc.enable()

    if not app.call_after_refresh(end):
        end()
        return
    app.set_timer(LONGEST_PAUSE, end)
