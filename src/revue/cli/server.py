"""``revue backup``, ``revue check`` on a server store (PostgreSQL), and ``revue store copy``.

SQLite stores keep their file-level backups (revue.store.backup); a server store's backups are
archives (revue.store.archive): every row of revue's tables in one SQLite file, kept in the
user's data folder, restorable into the same database or, with ``revue store copy``, into any.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from revue.store.store import Store


def _tell(message: str) -> None:
    print(f"revue : {message}", file=sys.stderr, flush=True)


def backup_list(args: argparse.Namespace, url: str) -> int:
    from revue.store.archive import list_server_backups

    backups = list_server_backups(url)
    if not backups:
        print("Aucune sauvegarde pour l'instant.")
    for item in reversed(backups):
        print(f"{item.name}\t{item.taken_at:%d/%m/%Y %H:%M:%S}\t{item.label}")
    return 0


def backup_create(args: argparse.Namespace, url: str) -> int:
    from revue.store.archive import take_server_backup, write_archive

    store = Store.open(url, notice=_tell)
    try:
        if args.output:
            write_archive(store.engine, Path(args.output))
            print(
                f"Copie des données écrite dans {args.output} (un seul fichier SQLite, "
                "complet, vérifié)."
            )
            return 0
        made = take_server_backup(store.engine, url, "manuelle")
    finally:
        store.close()
    print(f"Sauvegarde faite : {made.name} (dans {made.path.parent}).")
    return 0


def backup_restore(args: argparse.Namespace, url: str) -> int:
    from revue.store.archive import restore_server_backup

    store = Store.open(url, notice=_tell)
    try:
        before = restore_server_backup(store.engine, url, args.name)
    finally:
        store.close()
    print(f"Données actuelles sauvegardées d'abord dans {before.name}.")
    print(f"Sauvegarde {args.name} remise en place.")
    return 0


def check(args: argparse.Namespace, url: str) -> int:
    """References between tables (the server enforces them; revue checks again), frozen
    snapshots and links to the projet académique, read in one consistent snapshot."""
    from sqlalchemy.engine import make_url

    from revue.store.archive import reference_problems

    shown = make_url(url).render_as_string(hide_password=True)
    store = Store.open(url, notice=_tell)
    try:
        broken = reference_problems(store.engine)
        if broken:
            for line in broken:
                print(f"{shown} : {line}")
            return 1
        frozen = store.snapshot_problems()
        if frozen:
            for line in frozen:
                print(f"{shown} : {line}")
            print("Le reste des données est intègre ; le relevé figé n'est plus une preuve.")
            return 1
        links = store.link_problems()
        if links:
            for line in links:
                print(f"{shown} : {line}")
            print(
                "Le reste des données est intègre ; importez le projet académique qui manque, "
                "ou corrigez ces rattachements par avenant."
            )
            return 1
    finally:
        store.close()
    print(
        f"{shown} : intègre (références entre tables, empreintes des revues clôturées et "
        "rattachements au projet académique)."
    )
    return 0


def store_copy(args: argparse.Namespace, _url: str) -> int:
    """Every row of the store at ``--from`` into the empty store at ``--to``, verified; with
    ``--owner``, one circonscription's rows of a shared PostgreSQL database (docs/postgresql.md)."""
    from sqlalchemy.engine import make_url

    from revue.store.archive import copy_rows
    from revue.store.grants import check_scope

    owner = None if args.owner is None else check_scope(args.owner)
    source = Store.open(args.source, notice=_tell)
    try:
        target = Store.open(args.target, notice=_tell)
        try:
            digests = copy_rows(source.engine, target.engine, replace=False, owner=owner)
        finally:
            target.close()
    finally:
        source.close()
    rows = sum(d.rows for d in digests.values())
    whose = "" if owner is None else f" (circonscription « {owner} »)"
    print(
        f"{rows} lignes copiées{whose} de {make_url(args.source).render_as_string()} vers "
        f"{make_url(args.target).render_as_string()} ; vérifié : mêmes nombres de lignes et "
        f"mêmes empreintes SHA-256 dans les {len(digests)} tables."
    )
    return 0


def admin_grant(args: argparse.Namespace, url: str) -> int:
    from revue.store.grants import grant, unowned_rows

    store = Store.open(url, notice=_tell)
    try:
        access = grant(store.engine, args.role, args.kind, args.scope)
        unowned = unowned_rows(store.engine) if access.scope and args.kind != "dsden" else 0
    finally:
        store.close()
    if args.kind == "dsden":
        what = (
            "lire contrats, revues et comptes de toutes les circonscriptions de cette base "
            "(ni notes, ni participants, ni auteurs)"
        )
    elif access.scope:
        what = (
            f"lire et écrire les données de la circonscription « {access.scope} », et elles seules"
        )
    else:
        what = "lire et écrire toutes ces données"
    print(f"Le rôle {args.role} peut maintenant {what}.")
    if unowned:
        print(
            f"Attention : {unowned} contrats ou accompagnements de cette base ne sont à aucune "
            "circonscription (écrits avant qu'elle soit partagée) : aucun rôle de "
            "circonscription ne les voit (docs/postgresql.md, « Une base commune »)."
        )
    return 0


def admin_revoke(args: argparse.Namespace, url: str) -> int:
    from revue.store.grants import revoke

    store = Store.open(url, notice=_tell)
    try:
        revoke(store.engine, args.role)
    finally:
        store.close()
    print(f"Le rôle {args.role} n'a plus accès à ces données.")
    return 0


def admin_list(args: argparse.Namespace, url: str) -> int:
    from revue.store.grants import list_access

    store = Store.open(url, notice=_tell)
    try:
        accesses = list_access(store.engine)
    finally:
        store.close()
    if not accesses:
        print("Aucun rôle n'a reçu d'accès (revue admin grant) : seul le propriétaire de la base.")
        return 0
    for access in accesses:
        if access.kind == "dsden":
            shown = "dsden\ttoutes les circonscriptions, en lecture (sans les notes)"
        elif access.scope:
            shown = f"circonscription\t{access.scope}"
        else:
            shown = "circonscription\tles données de la base (une seule circonscription)"
        print(f"{access.role}\t{shown}")
    return 0
