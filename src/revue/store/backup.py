"""Backups of a SQLite store: taken before anything that rewrites much, rotated, private.

Copies are made with SQLite's online backup API, so they are consistent even while the app has
the store open in WAL mode.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from revue.domain.errors import NotFoundError, RevueError
from revue.store.paths import prepare_private_file

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

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def label(self) -> str:
        return REASONS.get(self.reason, self.reason)


def backup_folder(store_path: Path) -> Path:
    return store_path.parent / FOLDER


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)


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
    if not store_path.exists() or store_path.stat().st_size == 0:
        return None
    now = dt.datetime.now()
    target = _new_name(store_path, now, reason)
    fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        source = sqlite3.connect(store_path)
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
        target.unlink(missing_ok=True)
        raise RevueError(f"sauvegarde impossible ({exc})") from None
    os.chmod(target, 0o600)
    _rotate(target.parent, keep)
    return Backup(target, now, reason)


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
    """Oldest first."""
    out: list[Backup] = []
    if not folder.is_dir():
        return out
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match:
            stamp = match["stamp"][:15]
            out.append(Backup(path, dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S"), match["reason"]))
    return sorted(out, key=lambda b: (b.taken_at, b.path.stat().st_mtime_ns, b.name))


def list_backups(store_path: Path) -> list[Backup]:
    return list_backups_in(backup_folder(store_path))


def latest_good_backup(store_path: Path) -> Backup | None:
    """The newest backup that passes the integrity check, if any."""
    for backup in reversed(list_backups(store_path)):
        if not integrity_problems(backup.path):
            return backup
    return None


def set_aside_damaged(store_path: Path) -> Path:
    """Move a damaged store (and its -wal/-shm files) aside, byte for byte, in the backup
    folder: nothing is thrown away, even what cannot be read."""
    target = _new_name(store_path, dt.datetime.now(), "abimee")
    for extra in ("", "-wal", "-shm"):
        source = Path(f"{store_path}{extra}")
        if source.exists():
            os.replace(source, Path(f"{target}{extra}"))
            os.chmod(Path(f"{target}{extra}"), 0o600)
    return target


def restore_backup(store_path: Path, name: str, *, damaged: bool = False) -> Backup | None:
    """Put a backup back in place of the store, after backing up the current store.

    ``damaged``: the current store fails the integrity check; it is moved aside as it is
    (SQLite cannot copy a damaged file) instead of being backed up.
    """
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
    source = sqlite3.connect(chosen.path)
    try:
        destination = sqlite3.connect(store_path)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    return before


def integrity_problems(path: Path) -> str:
    """ "" when the file passes SQLite's quick check and the foreign-key check."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        result = conn.execute("PRAGMA quick_check").fetchall()
        if result != [("ok",)]:
            return "; ".join(str(r[0]) for r in result[:5])
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            return f"{len(broken)} référence(s) cassée(s), par exemple dans la table {broken[0][0]}"
        return ""
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        conn.close()
