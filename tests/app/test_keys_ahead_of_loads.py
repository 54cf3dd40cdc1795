"""Keys typed ahead of a screen's first load wait for it, never dropped (the lead's tmux run:
`Enter r n 1 Tab 1 Enter` sent at start-up opened the contract and the review list, but no
review — « n » met a review list whose contract was still loading).

Each test types its whole burst at start-up, before the first screen has loaded. The store
reads the screens' workers make are held by :class:`Gates` until the test opens them, one
after the other: while a screen's read is held, the test checks that no key has gone past it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator

import pytest

from revue.app import keys
from revue.app.factory import make_app
from revue.app.screens.base import RevueScreen
from revue.app.screens.contract import ContractScreen
from revue.app.screens.contracts import ContractsScreen
from revue.app.screens.log import EntryScreen, LogScreen
from revue.app.screens.overview import OverviewScreen
from revue.app.screens.reviews import NewReviewScreen, ReviewsScreen
from revue.app.screens.walk import WalkScreen
from revue.domain.errors import RevueError
from revue.domain.log import LogFilter
from revue.domain.review import ReviewKind
from revue.domain.schoolyear import school_years_of_contract
from revue.store.store import Store
from tests.helpers import (
    EPI,
    LOG_TODAY,
    WAIT_LIMIT,
    burst,
    flat,
    one_objective_keys,
    stored_one_objective,
    through,
    typed,
    until,
)

TODAY = dt.date(2019, 6, 20)


class Gates:
    """Store methods that, called from a screen's worker, say so and wait for the test."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
        self.reached = {name: threading.Event() for name in names}
        self.opened = {name: threading.Event() for name in names}
        for name in names:
            monkeypatch.setattr(store, name, self._gated(name, getattr(store, name)))

    def _gated(self, name: str, read: Callable[..., object]) -> Callable[..., object]:
        def gated(*args: object, **kwargs: object) -> object:
            self.reached[name].set()
            # A condition, not a pause: the test opens it; WAIT_LIMIT only keeps a failing
            # test from leaving the thread behind.
            if not self.opened[name].wait(WAIT_LIMIT):
                raise TimeoutError(f"{name} never opened")
            return read(*args, **kwargs)

        return gated

    async def open(  # type: ignore[no-untyped-def]
        self, pilot, name: str, screen: type[RevueScreen[object]], keys_left: int
    ) -> None:
        """Wait until the screen on top is ``screen``, reading ``name``, with ``keys_left``
        keys still held for it; then let the read go on."""
        app = pilot.app
        await until(pilot, self.reached[name].is_set, f"the screen's {name}")
        await until(pilot, lambda: isinstance(app.screen, screen), screen.__name__)
        # The key before may still be on its way; then nothing goes past the held read.
        await until(pilot, lambda: app.keys_pending <= keys_left, f"the keys up to {name}")
        for _ in range(3):
            await pilot.pause()
        assert app.keys_pending == keys_left, (screen.__name__, app.keys_pending)
        self.opened[name].set()

    def open_all(self) -> None:
        for opened in self.opened.values():
            opened.set()


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Gates]]:
    made: list[Gates] = []

    def gate(store: Store, *names: str) -> Gates:
        made.append(Gates(store, monkeypatch, *names))
        return made[-1]

    yield gate
    for gates in made:  # whatever the test's outcome, no worker thread is left waiting
        gates.open_all()


async def test_a_new_review_typed_at_start_up(sample_url: str, gated: Callable[..., Gates]) -> None:
    """`Enter r n 1 Tab 1 Enter` and the first value, all at start-up: the review is created
    and the value lands in its walk, each key waiting for the screen it was typed for."""
    app = make_app(sample_url, today=TODAY)
    gates = gated(app.store, "list_contracts", "revised_contract", "list_reviews", "create_review")
    gates_walk = gated(app.store, "load_walk")
    walk_keys = typed("87,5")
    burst_keys = ["enter", "r", "n", "1", "tab", "1", "enter", *walk_keys]
    async with app.run_test(size=(120, 40)) as pilot:
        burst(app, burst_keys)
        left = len(burst_keys)
        await gates.open(pilot, "list_contracts", ContractsScreen, left)
        await gates.open(pilot, "revised_contract", ContractScreen, left - 1)  # after Enter
        await gates.open(pilot, "list_reviews", ReviewsScreen, left - 2)  # after r
        # « n », the year, Tab, the kind, Enter: the creation runs, the walk's keys wait.
        await gates.open(pilot, "create_review", NewReviewScreen, len(walk_keys))
        await gates_walk.open(pilot, "load_walk", WalkScreen, len(walk_keys))
        await through(pilot)
        walk_screen = app.screen
        assert isinstance(walk_screen, WalkScreen)
        walk_screen.flush(wait=True)
    store = Store.open(sample_url)
    try:
        (review,) = store.list_reviews(EPI)
        years = school_years_of_contract(store.get_contract(EPI))
        walk = store.load_walk(review.id)
    finally:
        store.close()
    assert (review.school_year, review.kind) == (years[0], ReviewKind.ANNUAL)
    assert walk.values[walk.objectives[0].indicators[0].id] == 87.5


async def test_a_walk_typed_while_it_loads(sample_url: str, gated: Callable[..., Gates]) -> None:
    """`Enter r Enter`, then a whole objective: every key lands in the first objective's
    fields, typed before the contracts, the contract, the reviews and the walk had loaded."""
    store = Store.open(sample_url)
    review = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    store.close()
    app = make_app(sample_url, today=TODAY)
    gates = gated(app.store, "list_contracts", "revised_contract", "list_reviews", "load_walk")
    objective, _ = one_objective_keys()
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, ["enter", "r", "enter", *objective])
        await gates.open(pilot, "list_contracts", ContractsScreen, len(objective) + 3)
        await gates.open(pilot, "revised_contract", ContractScreen, len(objective) + 2)
        await gates.open(pilot, "list_reviews", ReviewsScreen, len(objective) + 1)
        await gates.open(pilot, "load_walk", WalkScreen, len(objective))
        await through(pilot)
        screen = app.screen
        assert isinstance(screen, WalkScreen)
        assert screen.index == 1  # F6, the last key, went to the next objective
        screen.flush(wait=True)
    _walk, record = stored_one_objective(sample_url, review.id)
    assert (record.analysis, record.adjustments) == (
        "Les résultats progressent.",
        "Poursuivre en CE2.",
    )


async def test_a_log_entry_typed_at_start_up(log_url: str, gated: Callable[..., Gates]) -> None:
    """`j n`, a date, a school by its name, Ctrl+S, at start-up: the form had the log's
    schools (a name is understood only through them) and the last entry's defaults."""
    store = Store.open(log_url)
    school = next(s for s in store.list_schools() if "," not in s.name)
    last = store.last_accompaniment()
    store.close()
    assert last is not None
    app = make_app(log_url, today=LOG_TODAY)
    gates = gated(
        app.store, "list_contracts", "log_authors", "page_of_accompaniments", "last_accompaniment"
    )
    entry = [*typed("13/03/2019"), "tab", "tab", *typed(school.name), "ctrl+s"]
    async with app.run_test(size=(120, 40)) as pilot:
        burst(app, ["j", "n", *entry])
        await gates.open(pilot, "list_contracts", ContractsScreen, len(entry) + 2)
        await gates.open(pilot, "log_authors", LogScreen, len(entry) + 1)
        await gates.open(pilot, "page_of_accompaniments", LogScreen, len(entry) + 1)
        await gates.open(pilot, "last_accompaniment", EntryScreen, len(entry))
        await through(pilot)
        await until(pilot, lambda: isinstance(app.screen, LogScreen), "the log after Ctrl+S")
    store = Store.open(log_url)
    try:
        rows, _ = store.list_accompaniments(LogFilter(school=school.uai))
    finally:
        store.close()
    saved = [r.content for r in rows if r.content.date == dt.date(2019, 3, 13)]
    assert [(c.schools, c.author, c.theme) for c in saved] == [
        ((school.uai,), last.content.author, last.content.theme)
    ]


async def test_a_load_that_fails_lets_the_keys_go_at_once(
    sample_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overview's load refused (its French message shown): Escape, typed after « v »,
    goes at once — the let-go limit is made far longer than the test's own wait."""
    store = Store.open(sample_url)
    store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    store.close()
    monkeypatch.setattr(keys, "READY_WITHIN", 10 * WAIT_LIMIT)
    app = make_app(sample_url, today=TODAY)
    refusals: list[object] = []

    def refused(review_id: object) -> object:
        refusals.append(review_id)
        raise RevueError("cette revue n'est plus dans la base")

    monkeypatch.setattr(app.store, "load_walk", refused)
    async with app.run_test(size=(120, 40)) as pilot:
        burst(app, ["enter", "r", "v"])
        await through(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert "Cette revue n'est plus dans la base." in flat(app)
        burst(app, ["escape", "v", "escape"])
        await through(pilot)
        assert isinstance(app.screen, ReviewsScreen)  # opened, refused, left: twice
    assert len(refusals) == 2


async def test_a_load_that_never_ends_does_not_hold_the_keys_forever(
    sample_url: str, gated: Callable[..., Gates], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contract list's read never comes back: after READY_WITHIN, « j » goes all the
    same (the log opens), and the keys after it are not held either."""
    monkeypatch.setattr(keys, "READY_WITHIN", 0.5)
    app = make_app(sample_url, today=TODAY)
    gates = gated(app.store, "list_contracts")
    async with app.run_test(size=(120, 40)) as pilot:
        burst(app, ["j"])
        await until(pilot, gates.reached["list_contracts"].is_set, "the contract list's read")
        await until(pilot, lambda: isinstance(app.screen, LogScreen), "the log, all the same")
        await until(pilot, lambda: app.keys_pending == 0, "no key held")
        gates.open_all()


async def test_an_enter_typed_before_the_terminal_is_raw_opens_the_contract(
    sample_url: str, gated: Callable[..., Gates]
) -> None:
    """Typed while revue starts, Entrée reaches it as a line feed (Ctrl+J): it is Enter."""
    app = make_app(sample_url, today=TODAY)
    gates = gated(app.store, "list_contracts")
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, ["ctrl+j", "r"])
        await gates.open(pilot, "list_contracts", ContractsScreen, 2)
        await through(pilot)
        assert isinstance(app.screen, ReviewsScreen)


def test_every_declared_load_is_a_worker_of_its_screen() -> None:
    """FIRST_LOAD and KEYS_WAIT_FOR name workers by their method's name: a misspelt name
    would hold the keys READY_WITHIN seconds on every opening."""
    import importlib
    import pkgutil

    import revue.app.screens as screens

    for module in pkgutil.walk_packages(screens.__path__, "revue.app.screens."):
        importlib.import_module(module.name)

    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    declared = 0
    for screen in subclasses(RevueScreen):
        for name in screen.FIRST_LOAD | screen.KEYS_WAIT_FOR:
            assert callable(getattr(screen, name, None)), (screen.__name__, name)
            declared += 1
    assert declared >= 20
