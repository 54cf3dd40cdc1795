"""Where revue keeps its data: the default location, the file a URL names, that file and its
folder created private, what revue refuses to follow, and the lock that serialises opening.

Kept free of the rest of the store (``db`` and ``backup`` both import it), and cheap to import:
the CLI imports it at start-up, so SQLAlchemy is only imported when a URL is looked at.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import platformdirs

from revue.domain.errors import RevueError
from revue.formats.fileio import PRIVATE_FILE, private_folder

APP_NAME = "revue"
ENV_DB = "REVUE_DB"

#: How long opening a store waits for another revue that is creating or upgrading it (an
#: upgrade backs up and rewrites a department's store: seconds, rarely a minute).
OPEN_WAIT_LIMIT = 600.0
#: After this many seconds of waiting, the user is told why nothing happens.
TELL_AFTER = 0.5

#: Something to tell the user while revue waits (a French sentence).
Notice = Callable[[str], None]


class StoreError(RevueError):
    """The store cannot be opened or written.

    ``damaged``: the file is there but SQLite cannot read it; the app then offers the latest
    good backup. Any other refusal (a newer revue's store, a symbolic link, the lock) is only
    explained.
    """

    def __init__(self, message: str, *, damaged: bool = False) -> None:
        super().__init__(message)
        self.damaged = damaged


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_url() -> str:
    """``--db`` wins, then ``REVUE_DB``, then a SQLite file in the user's data folder."""
    return os.environ.get(ENV_DB) or f"sqlite:///{data_dir() / 'revue.sqlite3'}"


SQLITE_FORMS = (
    "un fichier s'écrit sqlite:///chemin/relatif.sqlite3 ou sqlite:////chemin/absolu.sqlite3"
)


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory stores.

    A URL SQLite would refuse (``sqlite://tmp/x``: a host; options after ``?``) is refused
    here, before anything is created on disk.
    """
    from sqlalchemy.engine import make_url  # not at start-up (see the module's docstring)
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"adresse de base de données invalide : « {url} »") from None
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.host or parsed.username or parsed.password or parsed.port:
        raise StoreError(f"adresse SQLite invalide : « {url} » ; {SQLITE_FORMS}")
    if parsed.query:
        raise StoreError(
            f"adresse SQLite invalide : « {url} » : revue ne prend pas d'options après « ? »"
        )
    if parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def companions(path: Path) -> list[Path]:
    """The store file and the files SQLite keeps beside it."""
    return [
        path,
        Path(f"{path}-wal"),
        Path(f"{path}-shm"),
        lock_path(path),
        write_lock_path(path),
    ]


def check_own_file(path: Path) -> None:
    """Refuse a store revue does not own: a symbolic link (revue does not follow links to its
    data, which could lead to someone else's file), something that is not a file, a file of
    another user. A file that does not exist yet is fine."""
    for item in companions(path):
        try:
            info = item.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(info.st_mode):
            raise StoreError(
                f"{item} est un lien symbolique : revue ne suit pas les liens vers ses "
                "données ; mettez le fichier lui-même à cet endroit (ou donnez son vrai "
                "chemin avec --db)"
            )
        if not stat.S_ISREG(info.st_mode):
            raise StoreError(f"{item} n'est pas un fichier ordinaire : revue ne l'ouvre pas")
        if info.st_uid != os.getuid():
            raise StoreError(
                f"{item} appartient à un autre utilisateur : revue n'ouvre que vos propres données"
            )


def prepare_private_file(path: Path) -> None:
    """Create the store's folder (0700, and the missing folders above it) and file (0600)
    before SQLite does, whatever the umask; refuse a file revue does not own.

    SQLite gives its -wal and -shm files the permissions of the database file. Two processes
    may do this at once: whoever comes second finds the folder and the file made.
    """
    private_folder(path.parent)
    check_own_file(path)
    with suppress(FileExistsError):
        fd = os.open(
            path, os.O_CREAT | os.O_WRONLY | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, PRIVATE_FILE
        )
        os.close(fd)
    for item in companions(path):
        with suppress(FileNotFoundError):
            if stat.S_IMODE(item.lstat().st_mode) & ~PRIVATE_FILE:
                os.chmod(item, PRIVATE_FILE)


def lock_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.lock")


@contextmanager
def store_lock(path: Path, notice: Notice | None = None) -> Iterator[None]:
    """Hold the lock that serialises opening, creating and upgrading the store at ``path``
    between processes (an OS lock on ``revue.sqlite3.lock`` beside it, 0600, left in place).

    Waits for another revue holding it, telling ``notice`` once, for up to
    :data:`OPEN_WAIT_LIMIT` seconds. The lock goes with the process: a revue that is killed
    never leaves it taken. Where the folder cannot hold a lock file (read-only), there is
    nothing to create or upgrade there either: the body runs without it.
    """
    try:
        import fcntl
    except ImportError:  # not a POSIX system: SQLite's own locking only
        yield
        return
    try:
        fd = os.open(
            lock_path(path), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, PRIVATE_FILE
        )
    except OSError as exc:
        if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
            yield
            return
        raise StoreError(
            f"impossible d'ouvrir {lock_path(path)} : {exc.strerror} ; rien n'a été modifié"
        ) from None
    try:
        start = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - start
                if waited > OPEN_WAIT_LIMIT:
                    raise StoreError(
                        "les données sont ouvertes par un autre programme revue qui les "
                        f"met à jour depuis plus de {OPEN_WAIT_LIMIT / 60:.0f} minutes ; "
                        "réessayez plus tard (rien n'a été modifié)"
                    ) from None
                if notice is not None and not told and waited > TELL_AFTER:
                    notice(WAITING_TO_OPEN)
                    told = True
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write_lock_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.write-lock")


class WriteTurnTimeout(StoreError):
    """A writer waited for its turn (:func:`write_turn`) until its time limit."""


@contextmanager
def write_turn(
    path: Path, deadline: float, tell: Callable[[], None], *, tell_after: float = 1.0
) -> Iterator[None]:
    """Wait, in turn, for the other revue processes writing to the store at ``path``, and hold
    the turn while the body runs: an OS lock on ``revue.sqlite3.write-lock`` beside the store
    (0600, left in place), taken just before ``BEGIN IMMEDIATE`` and let go after the
    transaction ends.

    Why: SQLite's own wait for its write lock (the busy handler) sleeps and tries again, with
    sleeps growing up to 100 ms, and a writer that arrives while the others sleep takes the
    lock before them; under many writers a few wait very long (docs/performance.md). A writer
    blocked on an OS lock is woken by the kernel the moment it is let go, without sleeping or
    polling. SQLite's lock still decides: this one only makes revue's writers queue for it;
    a program that writes without it (the sqlite3 shell) is waited for by the busy handler,
    as before.

    Waits until ``deadline`` (a :func:`time.monotonic` time), calling ``tell()`` once after
    ``tell_after`` seconds; then raises :class:`WriteTurnTimeout`. The lock goes with the process.
    Where no lock file can be made (read-only folder, a system without ``fcntl``), the body
    runs without it: SQLite's busy handler alone, as before.
    """
    try:
        import fcntl
    except ImportError:  # not a POSIX system (Windows): SQLite's busy handler alone
        yield
        return
    try:
        fd = os.open(
            write_lock_path(path),
            os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
            PRIVATE_FILE,
        )
    except OSError:
        yield  # SQLite's busy handler alone; SQLite itself says what is wrong with the folder
        return
    keep_fd = True
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            keep_fd = _wait_turn(fd, deadline, tell, tell_after)
            if not keep_fd:
                raise WriteTurnTimeout("write turn timed out") from None
        yield
    finally:
        if keep_fd:
            os.close(fd)  # closing lets the lock go


def _wait_turn(fd: int, deadline: float, tell: Callable[[], None], tell_after: float) -> bool:
    """Block on the lock of ``fd`` in a helper thread (an OS lock cannot be waited for with a
    time limit) while this thread keeps the time; True once the lock is held. False at the
    deadline: the helper then owns ``fd`` and closes it as soon as it gets the lock."""
    import fcntl
    import threading

    settled = threading.Lock()
    got = threading.Event()
    given_up = False

    def take() -> None:
        with suppress(OSError):  # then SQLite's busy handler alone
            fcntl.flock(fd, fcntl.LOCK_EX)
        with settled:
            if given_up:
                os.close(fd)
            else:
                got.set()

    threading.Thread(target=take, name="revue-write-turn", daemon=True).start()
    if not got.wait(min(tell_after, max(0.0, deadline - time.monotonic()))):
        tell()
        got.wait(max(0.0, deadline - time.monotonic()))
    with settled:
        if got.is_set():
            return True
        given_up = True
        return False


WAITING_TO_OPEN = (
    "un autre programme revue crée ou met à jour les données : revue attend qu'il ait fini…"
)
