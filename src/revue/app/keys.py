"""Keys in the order they were typed, whatever the speed.

Textual's App checks its priority bindings at once, then *posts* every other key to the focused
widget's queue and goes on with the next key. A key the focused widget does not take (Tab, a
screen's key) then travels up the DOM, queue after queue, to the App's non-priority bindings;
meanwhile the App has already posted the following keys to the widget that had the focus:
typed fast, `87,5 Tab 2,5` gave `87,52,5` in the first field, and F6 (a priority binding) ran
before the characters still queued in the field.

:class:`KeysInOrder` hands the App one key (or paste) at a time: the next one is dispatched only
when the previous one has been through every queue it can reach — the focused widget, each of
its ancestors up to the screen, the App — and what it caused there (a focus move, a Submitted
message) has been handled too. A barrier is a callback posted with ``call_later`` into a node's
own queue, behind what is already there. A key is never awaited inside the App's message loop
(the key may still have to pass through it), so nothing can deadlock; a chain that cannot end
(a widget removed while a barrier waited in its queue) is let go after
:data:`STUCK_AFTER` seconds without progress.

Ctrl+J is taken as Enter: an Entrée typed while revue starts (the terminal not yet in raw
mode) arrives as a line feed.

Keys typed ahead of a screen's data wait for it too: a screen that is still loading (the
contract a review is created for, the walk's objectives) says so with ``keys_waiting_since``
(the monotonic time its wait began; None when ready), and calls :meth:`KeysInOrder.keys_may_go`
once its load has been applied — or has failed and shown why. The keys that follow are held
until then, :data:`READY_WITHIN` seconds at most from the start of the wait: a load that never
ends does not hang the keys forever.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from textual import events
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump

#: Passes of barriers over the chain after a key: the first waits for the key itself, the
#: next ones for what it caused (a message that bubbles after the key, a deferred focus).
MAX_PASSES = 3
#: Seconds without a barrier coming back after which the next key goes all the same.
STUCK_AFTER = 1.0
#: Seconds late a watchdog may fire before the lateness counts as a blocked loop.
LATE = 0.25
#: Seconds from the start of a screen's load after which keys go to it all the same.
READY_WITHIN = 10.0


class KeysInOrder(App[None]):
    """An App that dispatches keys and pastes strictly one after the other."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending_input: deque[events.Key | events.Paste] = deque()
        #: A number per dispatched key: a barrier of an earlier key that comes back late
        #: (after STUCK_AFTER let it go) is ignored.
        self._key_turn = 0
        self._key_busy = False
        #: The current key has been dispatched (not held, nor waiting for a screen's focus).
        self._key_sent = False
        self._key_watchdog: asyncio.TimerHandle | None = None
        #: When the current key's barriers last moved on (the watchdog counts from it).
        self._key_moved = 0.0
        #: When the watchdog should fire: much later means the loop was blocked meanwhile.
        self._key_due = 0.0
        #: The key whose dispatch already waited for a new screen to give the focus.
        self._waited_for_focus: events.Event | None = None
        #: Keys posted to the App, and taken from its queue (each counter has one writer).
        self._keys_posted = 0
        self._keys_taken = 0
        #: The turn held until the screen on top is ready (None: no key held for that).
        self._held_turn: int | None = None

    @property
    def keys_pending(self) -> int:
        """Keys posted to the App and not yet through every queue (tests wait for 0)."""
        waiting = self._keys_posted - self._keys_taken
        return waiting + len(self._pending_input) + (1 if self._key_sent else 0)

    def post_message(self, message: Message) -> bool:
        posted = super().post_message(message)
        if posted and _raw_input(message):
            self._keys_posted += 1
        return posted

    async def on_event(self, event: events.Event) -> None:
        if _raw_input(event):
            assert isinstance(event, (events.Key, events.Paste))
            self._keys_taken += 1
            self._pending_input.append(_enter_for_newline(event))
            if not self._key_busy:
                await self._dispatch_next()
            return
        await super().on_event(event)

    async def _dispatch_next(self) -> None:
        """Runs in the App's own loop: dispatch the next key as Textual would, then follow it
        with barriers; the key after it waits for them."""
        if self._key_busy or not self._pending_input:
            return
        event = self._pending_input[0]
        self._key_busy = True
        self._key_turn += 1
        turn = self._key_turn
        waiting_since = self._screen_waiting_since()
        if waiting_since is not None:
            # The screen on top is still loading what the key acts on: hold the key until it
            # says it is ready (keys_may_go), READY_WITHIN seconds from its load at most.
            self._held_turn = turn
            delay = waiting_since + READY_WITHIN - time.monotonic()
            loop = asyncio.get_running_loop()
            self._key_watchdog = loop.call_later(delay, self._ready_or_late, turn)
            return
        if self.focused is None and self._screen_stack and self._waited_for_focus is not event:
            # A screen just pushed gives the focus once it has handled its own queue (mount,
            # resume): wait for that first, so that the key reaches the field, not the screen.
            self._waited_for_focus = event
            self._follow(turn, self.screen, None, MAX_PASSES)
            return
        self._pending_input.popleft()
        self._key_sent = True
        target: MessagePump = self.focused or self.screen
        await super().on_event(event)
        if turn == self._key_turn and self._key_busy:
            self._follow(turn, target, event, MAX_PASSES)

    def _screen_waiting_since(self) -> float | None:
        """When the screen on top began the load keys wait for; None when it is ready (or
        has been loading for READY_WITHIN seconds already)."""
        if not self._screen_stack:
            return None
        since = getattr(self.screen, "keys_waiting_since", None)
        if not isinstance(since, float) or time.monotonic() - since >= READY_WITHIN:
            return None
        return since

    def keys_may_go(self) -> None:
        """A screen became ready for keys (its load applied, or its error shown), or left the
        top of the stack: a key held for it is looked at again. Called on the UI thread."""
        self.call_later(self._ready_or_late, self._held_turn)

    def _ready_or_late(self, turn: int | None) -> None:
        if turn is None or turn != self._held_turn or turn != self._key_turn:
            return
        if not self._key_busy or not self._screen_stack:  # (the app closing)
            return
        self._held_turn = None
        # What the load caused first (the focus it gives, the messages its display posted),
        # then the held key is dispatched — or held again for the screen now on top.
        self._follow(turn, self.screen, None, MAX_PASSES)

    def _follow(
        self, turn: int, target: MessagePump, key: events.Event | None, passes: int
    ) -> None:
        if self._key_watchdog is not None:
            self._key_watchdog.cancel()
        self._key_moved = time.monotonic()
        self._key_due = self._key_moved + STUCK_AFTER
        self._key_watchdog = asyncio.get_running_loop().call_later(STUCK_AFTER, self._stuck, turn)
        self._barrier(turn, self._chain(target), 0, passes, key, quiet=True)

    def _chain(self, target: MessagePump) -> list[MessagePump]:
        """The target, its ancestors, the App: where a key it gets can travel."""
        nodes: list[MessagePump] = []
        node: MessagePump | None = target
        while node is not None and node is not self:
            nodes.append(node)
            node = node._parent
        nodes.append(self)
        return nodes

    def _barrier(
        self,
        turn: int,
        chain: list[MessagePump],
        at: int,
        passes: int,
        key: events.Event | None,
        *,
        quiet: bool,
    ) -> None:
        """Post a barrier into ``chain[at]``'s queue; when it runs, the next node gets one."""
        while at < len(chain):
            if chain[at].call_later(self._reached, turn, chain, at, passes, key, quiet):
                return
            at += 1  # a closed node: nothing of the key can wait there
        self._pass_done(turn, passes, key, quiet=quiet)

    def _reached(
        self,
        turn: int,
        chain: list[MessagePump],
        at: int,
        passes: int,
        key: events.Event | None,
        quiet: bool,
    ) -> None:
        """A barrier ran: everything queued before it in that node has been handled."""
        if turn != self._key_turn or not self._key_busy:
            return
        self._key_moved = time.monotonic()
        node = chain[at]
        if node is not self and not node._message_queue.empty():
            quiet = False  # something arrived meanwhile: one more pass after this one
        if key is not None and key._stop_propagation and quiet:
            # The key was taken here: the nodes above never see it.
            self._pass_done(turn, passes, key, quiet=True)
            return
        self._barrier(turn, chain, at + 1, passes, key, quiet=quiet)

    def _pass_done(self, turn: int, passes: int, key: events.Event | None, *, quiet: bool) -> None:
        """After the key's own pass, at least one pass over the chain of what has the focus
        now (where the next key goes), until a pass finds nothing new (MAX_PASSES at most)."""
        passes -= 1
        if passes > 0 and (key is not None or not quiet):
            target: MessagePump = self.focused or self.screen
            self._barrier(turn, self._chain(target), 0, passes, None, quiet=True)
            return
        # In the App's loop, where keys are dispatched.
        self.call_later(self._release, turn)

    def _stuck(self, turn: int) -> None:
        if turn != self._key_turn or not self._key_busy:
            return
        now = time.monotonic()
        if now - self._key_due > LATE:
            # The loop itself was busy (a handler that blocked): nothing could move meanwhile.
            self._key_moved = now
        self._key_due = now + STUCK_AFTER
        quiet_for = now - self._key_moved
        if quiet_for < STUCK_AFTER:  # the barriers still moving: wait on
            loop = asyncio.get_running_loop()
            self._key_due = now + STUCK_AFTER - quiet_for
            self._key_watchdog = loop.call_later(STUCK_AFTER - quiet_for, self._stuck, turn)
            return
        self.call_later(self._release, turn)

    async def _release(self, turn: int) -> None:
        if turn != self._key_turn or not self._key_busy:
            return
        self._key_busy = False
        self._key_sent = False
        self._held_turn = None
        if self._key_watchdog is not None:
            self._key_watchdog.cancel()
            self._key_watchdog = None
        await self._dispatch_next()


def _enter_for_newline(event: events.Key | events.Paste) -> events.Key | events.Paste:
    """Ctrl+J (a line feed) as Enter, as a terminal's own line editing takes it: Entrée typed
    while revue starts, before the terminal is in raw mode, reaches it as a line feed (the
    terminal turned the carriage return into one), and no screen gives Ctrl+J a meaning."""
    if not isinstance(event, events.Key) or event.key != "ctrl+j":
        return event
    enter = events.Key("enter", "\r")
    if event._sender is not None:
        enter.set_sender(event._sender)
    return enter


def _raw_input(message: Message) -> bool:
    """A key or paste from the terminal, not yet dispatched."""
    return isinstance(message, (events.Key, events.Paste)) and not message.is_forwarded
