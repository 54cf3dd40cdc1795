"""Backups of a SQLite store: taken before anything that rewrites much, rotated, private.

Copies are made with SQLite's online backup API, so they are consistent even while the app has
the store open in WAL mode, and each is one self-contained file (no -wal beside it).

The backup folder is revue's own: it is never followed through a symbolic link (writing
backups there would mean writing wherever the link leads), and only revue's backups in it
(regular files of this user, named as revue names them) are listed, rotated or restored;
anything else there is left alone.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from revue.domain.errors import NotFoundError, RevueError
from revue.formats.fileio import PRIVATE_FILE, PRIVATE_FOLDER, atomic_target, private_folder
from revue.store.paths import StoreError, check_own_file, companions, prepare_private_file
from revue.store.sqlerrors import sqlite_reason

#: How many backups are kept; the oldest go first. Documented in docs/vos-donnees.md.
KEEP = 20
FOLDER = "sauvegardes"
_NAME = re.compile(r"^(?P<stamp>\d{8}-\d{6}(?:-\d+)?)-(?P<reason>[a-z0-9-]+)\.sqlite3$")

REASONS = {
    "migration": "avant une mise à jour du schéma",
    "import": "avant une importation de contrat",
    "fusion": "avant une fusion de fichier d'échange",
    "restauration": "avant une restauration",
    "manuelle": "à la demande",
    "abimee": "données abîmées mises de côté",
}


@dataclass
class Backup:
    path: Path
    taken_at: dt.datetime
    reason: str
    #: The file's modification time (ns), which orders backups taken within one second.
    mtime_ns: int = 0

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def label(self) -> str:
        return REASONS.get(self.reason, self.reason)


def backup_folder(store_path: Path) -> Path:
    return store_path.parent / FOLDER


def _refuse_link(folder: Path) -> None:
    """The backup folder must be a real folder of this user's, or not exist yet."""
    try:
        info = folder.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise StoreError(
            f"le dossier des sauvegardes {folder} est un lien symbolique : revue ne le suit "
            "pas (les sauvegardes iraient là où il mène) ; remplacez-le par un vrai dossier"
        )
    if not stat.S_ISDIR(info.st_mode):
        raise StoreError(f"{folder} n'est pas un dossier : revue ne peut pas y sauvegarder")
    if info.st_uid != os.getuid():
        raise StoreError(
            f"le dossier des sauvegardes {folder} appartient à un autre utilisateur : "
            "revue n'y écrit pas"
        )


def _private_folder(folder: Path) -> None:
    _refuse_link(folder)
    private_folder(folder)
    _refuse_link(folder)  # made by someone else meanwhile
    if stat.S_IMODE(folder.lstat().st_mode) != PRIVATE_FOLDER:
        os.chmod(folder, PRIVATE_FOLDER)


def _new_name(store_path: Path, now: dt.datetime, reason: str) -> Path:
    """A free name in the (private) backup folder: time stamp, then the reason."""
    folder = backup_folder(store_path)
    _private_folder(folder)
    stamp = f"{now:%Y%m%d-%H%M%S}"
    target = folder / f"{stamp}-{reason}.sqlite3"
    suffix = 1
    while target.exists():
        target = folder / f"{stamp}-{suffix}-{reason}.sqlite3"
        suffix += 1
    return target


def take_backup(store_path: Path, reason: str, *, keep: int = KEEP) -> Backup | None:
    """Copy the store beside itself; None when there is nothing to back up yet."""
    check_own_file(store_path)
    if not store_path.exists() or store_path.stat().st_size == 0:
        return None
    now = dt.datetime.now()
    target = _new_name(store_path, now, reason)
    fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_FILE)
    os.close(fd)
    try:
        _copy(store_path, target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    _rotate(target.parent, keep)
    return Backup(target, now, reason, target.stat().st_mtime_ns)


def _copy(store_path: Path, target: Path) -> None:
    """A consistent copy of the store (its WAL included) into the file ``target``, made one
    self-contained file (rollback journal, not WAL) and 0600."""
    try:
        source = read_only(store_path)
        try:
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)
                destination.execute("PRAGMA journal_mode = DELETE")
            finally:
                destination.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise RevueError(f"sauvegarde impossible ({sqlite_reason(exc)})") from None
    os.chmod(target, PRIVATE_FILE)


def copy_store(store_path: Path, target: Path) -> None:
    """Write a copy of the store to ``target`` (``revue backup create -o``): one file that
    holds everything, even while the app writes, private (0600); all or nothing."""
    check_own_file(store_path)
    if not store_path.exists() or store_path.stat().st_size == 0:
        raise NotFoundError(f"{store_path} : aucune donnée à copier")
    target = target.expanduser()
    if target.exists() and any(
        target.resolve() == item.resolve() for item in companions(store_path) if item.exists()
    ):
        raise RevueError(f"{target} est le fichier de données lui-même : choisissez un autre nom")
    with atomic_target(target, private=True) as tmp:
        _copy(store_path, tmp)


@contextmanager
def backup_alongside(store_path: Path, reason: str) -> Iterator[None]:
    """Take a backup in a thread while the body prepares and writes its changes.

    The caller must already hold the write lock and must not commit inside the body: the copy
    then shows the store exactly as it was before the change (nobody else can commit
    meanwhile). Leaving the body waits for the copy; if it failed, the error is raised there,
    so the caller's transaction is rolled back and nothing is changed without a backup.
    SQLite's backup step runs without Python's global lock, so on two cores the copy costs
    (nearly) nothing in wall time.
    """
    failure: list[BaseException] = []

    def copy() -> None:
        try:
            take_backup(store_path, reason)
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=copy, name=f"revue-backup-{reason}", daemon=True)
    worker.start()
    try:
        yield
    finally:
        worker.join()
    if failure:
        raise failure[0]


def _rotate(folder: Path, keep: int) -> None:
    backups = list_backups_in(folder)
    for old in backups[:-keep] if keep > 0 else backups:
        old.path.unlink(missing_ok=True)


def list_backups_in(folder: Path) -> list[Backup]:
    """revue's backups in ``folder``, oldest first: regular files of this user's named as
    revue names them. Anything else (a symbolic link, even a dangling one, another user's
    file, a file of another name) is ignored; a folder that is a symbolic link holds none."""
    out: list[Backup] = []
    try:
        info = folder.lstat()
    except FileNotFoundError:
        return out
    if not stat.S_ISDIR(info.st_mode):  # a symbolic link (followed by nothing here) or a file
        return out
    uid = os.getuid()
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if not match:
            continue
        try:
            entry = path.lstat()
        except FileNotFoundError:  # rotated away by another process meanwhile
            continue
        if not stat.S_ISREG(entry.st_mode) or entry.st_uid != uid:
            continue
        stamp = match["stamp"][:15]
        taken_at = dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S")
        out.append(Backup(path, taken_at, match["reason"], entry.st_mtime_ns))
    return sorted(out, key=lambda b: (b.taken_at, b.mtime_ns, b.name))


def list_backups(store_path: Path) -> list[Backup]:
    """The store's backups, oldest first; a backup folder that is a symbolic link is refused
    (with a French message), not followed."""
    folder = backup_folder(store_path)
    _refuse_link(folder)
    return list_backups_in(folder)


def latest_good_backup(store_path: Path) -> Backup | None:
    """The newest backup that passes the integrity check, if any."""
    try:
        backups = list_backups(store_path)
    except StoreError:  # a backup folder revue does not follow
        return None
    for backup in reversed(backups):
        if not integrity_problems(backup.path):
            return backup
    return None


def set_aside_damaged(store_path: Path) -> Path:
    """Move a damaged store (and its -wal/-shm files) aside, byte for byte, in the backup
    folder: nothing is thrown away, even what cannot be read."""
    target = _new_name(store_path, dt.datetime.now(), "abimee")
    for extra in ("", "-wal", "-shm"):
        source = Path(f"{store_path}{extra}")
        if source.exists() and not source.is_symlink():
            os.replace(source, Path(f"{target}{extra}"))
            os.chmod(Path(f"{target}{extra}"), PRIVATE_FILE)
    return target


def restore_backup(store_path: Path, name: str, *, damaged: bool = False) -> Backup | None:
    """Put a backup back in place of the store, after backing up the current store.

    ``damaged``: the current store fails the integrity check; it is moved aside as it is
    (SQLite cannot copy a damaged file) instead of being backed up.
    """
    check_own_file(store_path)
    chosen = next((b for b in list_backups(store_path) if b.name == name), None)
    if chosen is None:
        raise NotFoundError(f"aucune sauvegarde « {name} » (revue backup list les montre)")
    problem = integrity_problems(chosen.path)
    if problem:
        raise RevueError(
            f"la sauvegarde « {name} » est abîmée ({problem}) : choisissez-en une autre"
        )
    if damaged:
        aside = set_aside_damaged(store_path)
        prepare_private_file(store_path)
        before: Backup | None = Backup(aside, dt.datetime.now(), "abimee")
    else:
        before = take_backup(store_path, "restauration")
    try:
        source = read_only(chosen.path)
        try:
            destination = sqlite3.connect(store_path)
            try:
                source.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise RevueError(f"restauration impossible ({sqlite_reason(exc)})") from None
    return before


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that reads ``path`` and writes nothing there: without a -wal file (no
    connection has the store open), not even the -wal and -shm files a read-only connection
    would otherwise leave beside it (the file is then read as immutable)."""
    immutable = "" if Path(f"{path}-wal").exists() else "&immutable=1"
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro{immutable}", uri=True)


def integrity_problems(path: Path) -> str:
    """ "" when the file passes SQLite's quick check and the foreign-key check; else what is
    wrong, in French."""
    try:
        conn = read_only(path)
    except sqlite3.Error as exc:
        return sqlite_reason(exc)
    try:
        result = conn.execute("PRAGMA quick_check").fetchall()
        if result != [("ok",)]:
            return (
                f"le fichier de données est abîmé ({len(result)} problème(s) relevé(s) par "
                "la vérification rapide de SQLite)"
            )
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            return f"{len(broken)} référence(s) cassée(s), par exemple dans la table {broken[0][0]}"
        return ""
    except sqlite3.DatabaseError as exc:
        return sqlite_reason(exc)
    finally:
        conn.close()


#: For the archives of server stores (revue.store.archive), kept and rotated the same way.
new_backup_name = _new_name
rotate = _rotate
