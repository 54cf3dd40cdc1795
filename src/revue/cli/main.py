"""``revue``: open the app, or manage contracts from the shell.

Every message is French; every failure exits non-zero with one line per problem and no
traceback. An unexpected error leaves a report without personal data in the user's state
folder (:mod:`revue.formats.crash`) and says where.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from revue import __version__
from revue.domain.errors import RevueError
from revue.store.paths import ENV_DB, default_db_url

TYPE_CHECKING = False  # as typing.TYPE_CHECKING (mypy knows the name), without importing typing
if TYPE_CHECKING:
    from typing import Any

    from revue.bilan.writers import Writer
    from revue.domain.contract import ContractSummary
    from revue.store.store import Store

#: What a command runs: the parsed arguments and the store's URL in, the exit code out. Each
#: command's parser names its own (``set_defaults(handler=...)``).
Handler = Callable[[argparse.Namespace, str], int]


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout with its one English word in French."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


#: argparse's own error sentences, in French (the order matters: longer ones first).
_ERRORS = (
    ("the following arguments are required: ", "arguments obligatoires manquants : "),
    ("unrecognized arguments: ", "arguments inconnus : "),
    ("invalid choice: ", "choix invalide : "),
    ("expected one argument", "une valeur est attendue"),
    ("(choose from ", "(choisir parmi "),
    ("not allowed with argument ", "incompatible avec l'argument "),
    ("ambiguous option: ", "option ambiguë : "),
    ("could match ", "peut désigner "),
    ("invalid int value: ", "nombre entier invalide : "),
    ("argument ", "argument "),
)


class _Parser(argparse.ArgumentParser):
    """argparse with its own words in French, and ``-h``/``--help`` on every (sub)command."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["add_help"] = False
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument(
            "-h",
            "--help",
            action="help",
            default=argparse.SUPPRESS,
            help="afficher cette aide et quitter",
        )

    def error(self, message: str) -> None:  # type: ignore[override]
        for english, french in _ERRORS:
            message = message.replace(english, french)
        self.exit(2, f"{self.prog} : erreur : {message}\n(« {self.prog} --help » pour l'aide)\n")


if TYPE_CHECKING:
    _Commands = argparse._SubParsersAction[_Parser]  # what add_subparsers gives


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="revue",
        description="Revue annuelle du contrat de circonscription. Sans commande : ouvre "
        "l'application.",
        add_help=False,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"revue {__version__}",
        help="afficher la version et quitter",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help=f"base de données (adresse SQLAlchemy) ; par défaut ${ENV_DB} ou le fichier "
        "revue.sqlite3 du dossier de données de l'utilisateur",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="ouvrir l'application sur des données de démonstration temporaires",
    )
    parser.set_defaults(handler=_open_app)  # no command: the app
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=_Parser)
    _add_contract(commands)
    _add_exchange(commands)
    _add_schools(commands)
    _add_backup_and_check(commands)
    _add_bilan(commands)
    _add_config(commands)
    _add_academic(commands)
    _add_department(commands)
    return parser


def _actions(parser: argparse.ArgumentParser) -> _Commands:
    """The ``ACTION`` sub-commands of a command."""
    return parser.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=_Parser
    )


def _fail(message: str) -> int:
    print(f"revue : {message}", file=sys.stderr)
    return 1


def _tell(message: str) -> None:
    """What revue says while it waits (for another revue): on the error output, at once."""
    print(f"revue : {message}", file=sys.stderr, flush=True)


def _output(text: str, target: str | None, what: str) -> int:
    if target is None:
        sys.stdout.write(text)
        return 0
    from revue.formats.fileio import write_text_atomically

    try:
        write_text_atomically(Path(target), text)
    except OSError as exc:
        return _fail(f"{target} : écriture impossible ({exc.strerror})")
    print(f"{what} écrit dans {target}.", file=sys.stderr)
    return 0


def _with_store(run: Callable[[argparse.Namespace, Store], int]) -> Handler:
    """A command that works on the store: opened (migrated if need be) for it, then closed."""

    def handler(args: argparse.Namespace, url: str) -> int:
        from revue.store.store import Store

        store = Store.open(url, notice=_tell)
        try:
            return run(args, store)
        finally:
            store.close()

    return handler


# --- revue (no command), --demo ----------------------------------------------------------------


def _run_app(url: str) -> int:
    from revue.app.factory import make_app  # Textual is loaded only here

    app = make_app(url, notice=_tell)
    app.run()
    return app.return_code or 0


def _open_app(args: argparse.Namespace, url: str) -> int:
    return _run_app(url)  # a store that cannot open: a message, or the recovery screen


def _demo(args: argparse.Namespace) -> int:
    import shutil
    import tempfile

    if args.command:
        return _fail("--demo ouvre l'application : il ne se combine pas avec une commande")
    folder = Path(tempfile.mkdtemp(prefix="revue-demo-"))
    try:
        url = f"sqlite:///{folder / 'demo.sqlite3'}"
        from revue.services.demo import fill_demo_store

        fill_demo_store(url)
        return _run_app(url)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- revue contract ----------------------------------------------------------------------------


def _add_contract(commands: _Commands) -> None:
    contract = commands.add_parser(
        "contract",
        help="importer, lister, exporter, supprimer des contrats ; un modèle à remplir",
        add_help=False,
    )
    actions = _actions(contract)
    imp = actions.add_parser(
        "import",
        help="importer des fichiers TOML (contrats ou projets "
        "académiques), chacun en entier ou pas du tout",
        add_help=False,
    )
    imp.add_argument(
        "files", nargs="+", metavar="FICHIER", help="fichiers TOML de contrat ou de projet"
    )
    imp.add_argument(
        "--replace",
        action="store_true",
        help="remplacer un contrat déjà enregistré sous le même identifiant",
    )
    imp.set_defaults(handler=_with_store(_contract_import))
    listing = actions.add_parser(
        "list", help="lister les contrats (identifiant en premier)", add_help=False
    )
    listing.set_defaults(handler=_contract_list_quickly)
    exp = actions.add_parser("export", help="exporter un contrat en TOML", add_help=False)
    exp.add_argument(
        "id", metavar="ID", help="identifiant du contrat (voir « revue contract list »)"
    )
    exp.add_argument(
        "-o",
        "--output",
        metavar="FICHIER",
        help="fichier à écrire (par défaut : la sortie standard)",
    )
    exp.set_defaults(handler=_with_store(_contract_export))
    rm = actions.add_parser(
        "delete",
        help="supprimer un contrat (une sauvegarde est faite avant)",
        add_help=False,
    )
    rm.add_argument(
        "id", metavar="ID", help="identifiant du contrat (voir « revue contract list »)"
    )
    rm.add_argument(
        "--with-reviews",
        action="store_true",
        help="supprimer aussi ses revues (obligatoire quand le contrat en a)",
    )
    rm.set_defaults(handler=_with_store(_contract_delete))
    new = actions.add_parser(
        "new",
        help="écrire un modèle de contrat commenté en français, à compléter puis importer",
        add_help=False,
    )
    new.add_argument(
        "-o",
        "--output",
        metavar="FICHIER",
        help="fichier à écrire (par défaut : la sortie standard) ; un fichier existant "
        "n'est pas remplacé",
    )
    new.set_defaults(handler=_contract_new)


def _contract_delete(args: argparse.Namespace, store: Store) -> int:
    contract = store.get_contract(args.id)
    reviews = store.review_count(args.id)
    made = store.delete_contract(args.id, with_reviews=args.with_reviews)
    what = f" et ses {reviews} revue(s)" if reviews else ""
    print(f"Contrat « {args.id} » ({contract.title}){what} supprimé.")
    if made is not None:
        print(f"Sauvegarde faite avant : {made.path.name} (revue backup list).", file=sys.stderr)
    return 0


def _contract_new(args: argparse.Namespace, url: str) -> int:
    from revue.formats.contract_template import TEMPLATE

    if args.output is not None and Path(args.output).exists():
        return _fail(f"{args.output} existe déjà : choisissez un autre nom (rien n'a été écrit)")
    return _output(TEMPLATE, args.output, "Modèle de contrat")


def _contract_import(args: argparse.Namespace, store: Store) -> int:
    from revue.services.imports import import_files

    done, errors = import_files(store, args.files, replace=args.replace)
    for item in done:
        print(item.describe())
    for error in errors:
        for line in str(error).splitlines():  # a file with several problems: one line each
            print(f"revue : {line}", file=sys.stderr)
    if errors:
        print(
            f"{len(errors)} fichier(s) refusé(s) ; les données sont restées telles "
            "qu'elles étaient pour ces fichiers.",
            file=sys.stderr,
        )
        return 1
    return 0


def _contract_list_quickly(args: argparse.Namespace, url: str) -> int:
    """A store at the current schema is read as it is, without the ORM (this is what one types
    to find an identifier: it answers at once); any other goes through the store."""
    from revue.store.catalog import quick_contract_list
    from revue.store.paths import sqlite_path

    path = sqlite_path(url)
    contracts = quick_contract_list(path) if path is not None else None
    if contracts is None:
        return _with_store(_contract_list)(args, url)
    return _print_contracts(contracts)


def _contract_list(args: argparse.Namespace, store: Store) -> int:
    return _print_contracts(store.list_contracts())


def _print_contracts(contracts: list[ContractSummary]) -> int:
    if not contracts:
        print("Aucun contrat. Importez-en un : revue contract import FICHIER.toml", file=sys.stderr)
    for c in contracts:
        print(f"{c.id}\t{c.title}\t{c.circonscription}\t{c.period}\t{c.objective_count} objectifs")
    return 0


def _contract_export(args: argparse.Namespace, store: Store) -> int:
    from revue.formats.contract_toml import dump_contract

    return _output(dump_contract(store.get_contract(args.id)), args.output, "Contrat")


# --- revue exchange ----------------------------------------------------------------------------


def _add_exchange(commands: _Commands) -> None:
    exchange = commands.add_parser(
        "exchange", help="échanger le journal des accompagnements entre ordinateurs", add_help=False
    )
    actions = _actions(exchange)
    exp = actions.add_parser(
        "export",
        help="écrire un fichier d'échange signé (tous les accompagnements)",
        add_help=False,
    )
    exp.add_argument(
        "-o",
        "--output",
        metavar="FICHIER",
        help="fichier à écrire (par défaut : echange-NOM-AAAA-MM-JJ.json)",
    )
    exp.add_argument(
        "--author", metavar="NOM", help="seulement les accompagnements de cette personne"
    )
    exp.set_defaults(handler=_with_store(_exchange_export))
    imp = actions.add_parser("import", help="fusionner un fichier d'échange", add_help=False)
    imp.add_argument("file", metavar="FICHIER", help="fichier d'échange reçu (.json)")
    imp.add_argument(
        "--trust",
        action="store_true",
        help="accepter les clés encore inconnues qui ont signé ce fichier (après avoir vérifié "
        "leur empreinte avec leur propriétaire), ou un fichier non signé de l'ancien format",
    )
    imp.set_defaults(handler=_with_store(_exchange_import))
    trust = actions.add_parser(
        "trust", help="les clés des collègues dont les fichiers sont acceptés", add_help=False
    )
    trust_actions = _actions(trust)
    trust_actions.add_parser(
        "list", help="la clé de cet ordinateur, puis celles des collègues", add_help=False
    ).set_defaults(handler=_with_store(_trust_list))
    add = trust_actions.add_parser(
        "add", help="accepter les clés qui ont signé un fichier, sans l'importer", add_help=False
    )
    add.add_argument("file", metavar="FICHIER", help="fichier d'échange dont la clé est acceptée")
    add.set_defaults(handler=_with_store(_trust_add))
    remove = trust_actions.add_parser(
        "remove", help="ne plus accepter une clé (par son empreinte)", add_help=False
    )
    remove.add_argument(
        "fingerprint", metavar="EMPREINTE", nargs="+", help="empreinte(s) de clé à oublier"
    )
    remove.set_defaults(handler=_with_store(_trust_remove))


def _exchange_export(args: argparse.Namespace, store: Store) -> int:
    import datetime as dt

    from revue.formats.exchange import default_file_name
    from revue.formats.fileio import write_text_atomically

    now = dt.datetime.now()
    author = args.author or None  # every entry unless one person's are asked for
    exported = store.export_exchange(author, now)
    target = args.output or default_file_name(store.author, now.date())
    write_text_atomically(Path(target), exported.text, private=True)
    whose = f" de {author}" if author else ""
    print(f"{exported.count} accompagnement(s){whose} écrit(s) dans {target}.")
    print(
        f"Fichier signé par {exported.name} (empreinte {exported.short_fingerprint}) : "
        "le destinataire vérifie cette empreinte avec vous la première fois."
    )
    return 0


def _exchange_import(args: argparse.Namespace, store: Store) -> int:
    from revue.domain.errors import UntrustedFile
    from revue.formats.exchange import read_exchange

    exchange = read_exchange(args.file)
    try:
        report = store.import_exchange(
            exchange, accept=set(exchange.signers()) if args.trust else (), unsigned=args.trust
        )
    except UntrustedFile as exc:
        return _fail(_untrusted(str(exc), exc.file, exc.keys, unsigned=exc.unsigned))
    if report.conflicts:
        print(
            f"{report.conflicts} accompagnement(s) modifié(s) des deux côtés depuis le "
            "dernier échange : les deux versions sont gardées, à départager dans "
            "l'application."
        )
    print(report.line())
    return 0


def _untrusted(message: str, file: str, keys: list[tuple[str, str]], *, unsigned: bool) -> str:
    """What to do about a file signed by unknown keys, or not signed (French, several lines)."""
    if unsigned:
        return (
            f"{message} : rien n'a été importé.\n"
            "Demandez plutôt un nouvel export à son auteur (il sera signé). Pour l'importer "
            f"quand même : revue exchange import --trust {file}"
        )
    from revue.formats.signing import short_fingerprint

    listed = "\n".join(f"  {name} — empreinte {short_fingerprint(fp)}" for name, fp in keys)
    return (
        f"{file} : signé par une clé que cet ordinateur ne connaît pas encore :\n{listed}\n"
        "Vérifiez cette empreinte avec la personne elle-même (de vive voix, au téléphone) : "
        "elle lit la sienne avec « revue exchange trust list ». Si elles sont identiques :\n"
        f"  revue exchange import --trust {file}\n"
        f"(ou revue exchange trust add {file}, puis l'import). Rien n'a été importé."
    )


def _trust_list(args: argparse.Namespace, store: Store) -> int:
    from revue.formats.signing import short_fingerprint

    own, *others = store.trusted_keys()
    print(f"Cet ordinateur : {own.name} — empreinte {short_fingerprint(own.fingerprint)}")
    if not others:
        print("Aucune clé de collègue acceptée pour l'instant.")
    for key in others:
        state = (
            f"retirée le {key.removed_at:%d/%m/%Y}"
            if key.removed_at
            else f"acceptée le {key.added_at:%d/%m/%Y}"
        )
        print(f"{key.name} — empreinte {short_fingerprint(key.fingerprint)} ({state})")
    return 0


def _trust_add(args: argparse.Namespace, store: Store) -> int:
    from revue.formats.exchange import read_exchange

    names = store.trust_file_keys(read_exchange(args.file))
    if not names:
        print("Toutes les clés de ce fichier étaient déjà acceptées.")
    for name in names:
        print(f"Clé de {name} acceptée.")
    return 0


def _trust_remove(args: argparse.Namespace, store: Store) -> int:
    from revue.formats.signing import short_fingerprint

    key = store.remove_trusted_key("".join(args.fingerprint))
    print(
        f"La clé de {key.name} (empreinte {short_fingerprint(key.fingerprint)}) n'est plus "
        "acceptée : ses fichiers seront refusés."
    )
    return 0


# --- revue schools -----------------------------------------------------------------------------


def _add_schools(commands: _Commands) -> None:
    schools = commands.add_parser("schools", help="la liste des écoles", add_help=False)
    imp = _actions(schools).add_parser(
        "import", help="importer un CSV de l'annuaire de l'éducation", add_help=False
    )
    imp.add_argument("file", metavar="FICHIER", help="fichier CSV des écoles")
    imp.set_defaults(handler=_with_store(_schools_import))


def _schools_import(args: argparse.Namespace, store: Store) -> int:
    from revue.formats.schools_csv import read_schools

    added, updated = store.save_schools(read_schools(args.file))
    print(f"{args.file} : écoles ajoutées : {added}, mises à jour : {updated}.")
    return 0


# --- revue backup, revue check: the store file itself (SQLite), or its rows (a server's) -------


def _add_backup_and_check(commands: _Commands) -> None:
    backup = commands.add_parser("backup", help="les sauvegardes automatiques", add_help=False)
    actions = _actions(backup)
    actions.add_parser("list", help="lister les sauvegardes", add_help=False).set_defaults(
        handler=_on_file(_backup_list, "backup_list")
    )
    create = actions.add_parser(
        "create",
        help="faire une sauvegarde maintenant (dans le dossier des sauvegardes, ou avec -o "
        "une copie des données en un seul fichier, à emporter)",
        add_help=False,
    )
    create.add_argument(
        "-o",
        "--output",
        metavar="FICHIER",
        help="écrire la copie dans ce fichier (privé, 0600) au lieu du dossier des sauvegardes",
    )
    create.set_defaults(handler=_on_file(_backup_create, "backup_create"))
    restore = actions.add_parser(
        "restore",
        help="remettre une sauvegarde en place (les données actuelles sont d'abord sauvegardées)",
        add_help=False,
    )
    restore.add_argument(
        "name", metavar="NOM", help="nom de la sauvegarde (voir « revue backup list »)"
    )
    restore.set_defaults(handler=_on_file(_backup_restore, "backup_restore"))
    commands.add_parser(
        "check", help="vérifier l'intégrité des données", add_help=False
    ).set_defaults(handler=_on_file(_check, "check"))
    store = commands.add_parser(
        "store", help="les données elles-mêmes : les copier ailleurs", add_help=False
    )
    copy = _actions(store).add_parser(
        "copy",
        help="copier toutes les données d'une base dans une autre, vide (SQLite ou "
        "PostgreSQL), puis vérifier la copie",
        add_help=False,
    )
    copy.add_argument("--from", dest="source", metavar="URL", required=True, help="la source")
    copy.add_argument(
        "--to", dest="target", metavar="URL", required=True, help="la destination (vide)"
    )
    copy.add_argument(
        "--owner",
        metavar="NOM",
        help="base partagée : la circonscription dont on copie les données (vers la base "
        "partagée : à qui elles seront ; depuis elle : les seules copiées)",
    )
    copy.set_defaults(handler=_server("store_copy"))
    admin = commands.add_parser(
        "admin",
        help="sur un serveur PostgreSQL : qui peut lire et écrire ces données",
        add_help=False,
    )
    admin_actions = _actions(admin)
    grant = admin_actions.add_parser(
        "grant",
        help="donner accès à ces données à un rôle existant du serveur",
        add_help=False,
    )
    grant.add_argument("role", metavar="RÔLE", help="le rôle PostgreSQL (créé d'abord)")
    grant.add_argument(
        "--as",
        dest="kind",
        choices=("circonscription", "dsden"),
        required=True,
        help="circonscription : lire et écrire tout ; dsden : lire contrats, revues et "
        "comptes, jamais les notes, les participants ni les auteurs",
    )
    grant.add_argument(
        "--circonscription",
        dest="scope",
        metavar="NOM",
        help="dans une base partagée : la circonscription dont ce rôle lit et écrit les "
        "données (et seulement elles)",
    )
    grant.set_defaults(handler=_server("admin_grant"))
    revoke = admin_actions.add_parser(
        "revoke", help="retirer à un rôle l'accès à ces données", add_help=False
    )
    revoke.add_argument("role", metavar="RÔLE", help="le rôle PostgreSQL")
    revoke.set_defaults(handler=_server("admin_revoke"))
    admin_actions.add_parser(
        "list", help="les rôles qui ont accès à ces données, et à quoi", add_help=False
    ).set_defaults(handler=_server("admin_list"))


def _server(name: str) -> Handler:
    """``revue.cli.server``'s function ``name``, imported when the command runs."""

    def handler(args: argparse.Namespace, url: str) -> int:
        from revue.cli import server

        serve: Handler = getattr(server, name)
        return serve(args, url)

    return handler


def _on_file(run: Callable[[argparse.Namespace, str, Path], int], on_server: str) -> Handler:
    """A command on the SQLite file behind the URL (it gets the URL and the file); on a
    server's database, ``revue.cli.server``'s function named ``on_server``."""

    def handler(args: argparse.Namespace, url: str) -> int:
        from revue.store.db import sqlite_path

        path = sqlite_path(url)
        if path is None:
            return _server(on_server)(args, url)
        return run(args, url, path)

    return handler


def _backup_list(args: argparse.Namespace, url: str, path: Path) -> int:
    from revue.store.backup import list_backups

    backups = list_backups(path)
    if not backups:
        print("Aucune sauvegarde pour l'instant.")
    for item in reversed(backups):
        print(f"{item.name}\t{item.taken_at:%d/%m/%Y %H:%M:%S}\t{item.label}")
    return 0


def _backup_create(args: argparse.Namespace, url: str, path: Path) -> int:
    from revue.store.backup import copy_store, take_backup

    if args.output:
        copy_store(path, Path(args.output))
        print(f"Copie des données écrite dans {args.output} (un seul fichier, complet).")
        return 0
    made = take_backup(path, "manuelle")
    print(f"Sauvegarde faite : {made.name}." if made else "Rien à sauvegarder.")
    return 0


def _backup_restore(args: argparse.Namespace, url: str, path: Path) -> int:
    from revue.store.backup import restore_backup

    before = restore_backup(path, args.name)
    if before is not None:
        print(f"Données actuelles sauvegardées d'abord dans {before.name}.")
    print(f"Sauvegarde {args.name} remise en place.")
    return 0


def _check(args: argparse.Namespace, url: str, path: Path) -> int:
    from revue.store.backup import integrity_problems
    from revue.store.paths import check_own_file

    check_own_file(path)  # a symbolic link is not "intègre": revue does not follow it
    if not path.exists():
        return _fail(f"{path} : fichier de données absent")
    problem = integrity_problems(path)
    if problem:
        print(f"{path} : ABÎMÉ — {problem}")
        print(
            "Restaurez la dernière bonne sauvegarde : revue backup list, puis "
            "revue backup restore NOM."
        )
        return 1
    frozen = _snapshot_problems(url)
    if frozen:
        for line in frozen:
            print(f"{path} : {line}")
        print("Le reste des données est intègre ; le relevé figé n'est plus une preuve.")
        return 1
    links = _link_problems(url)
    if links:
        for line in links:
            print(f"{path} : {line}")
        print(
            "Le reste des données est intègre ; importez le projet académique qui manque, "
            "ou corrigez ces rattachements par avenant."
        )
        return 1
    print(
        f"{path} : intègre (vérification rapide, références entre tables, "
        "empreintes des revues clôturées et rattachements au projet académique)."
    )
    return 0


def _link_problems(url: str) -> list[str]:
    """Links of contract objectives to projet académique items that are not there (current
    schema only, like the snapshots)."""
    from revue.store.db import SCHEMA_HEAD, read_only_engine, sqlite_path, stored_revision
    from revue.store.store import Store

    path = sqlite_path(url)
    if path is None or stored_revision(path) != SCHEMA_HEAD:
        return []
    store = Store(read_only_engine(path), url, author="")
    try:
        return store.link_problems()
    finally:
        store.close()


def _snapshot_problems(url: str) -> list[str]:
    """Frozen reviews whose text no longer matches its SHA-256 (current schema only: older
    stores have no snapshots, and a check does not migrate)."""
    from revue.store.db import SCHEMA_HEAD, read_only_engine, sqlite_path, stored_revision
    from revue.store.store import Store

    path = sqlite_path(url)
    if path is None or stored_revision(path) != SCHEMA_HEAD:  # read without writing a byte
        return []
    store = Store(read_only_engine(path), url, author="")
    try:
        return store.snapshot_problems()
    finally:
        store.close()


# --- revue bilan -------------------------------------------------------------------------------


def _add_bilan(commands: _Commands) -> None:
    bilan = commands.add_parser("bilan", help="écrire le bilan pour la DSDEN", add_help=False)
    bilan.add_argument("id", metavar="ID", help="identifiant du contrat")
    bilan.add_argument(
        "--review",
        metavar="ANNÉE/NATURE",
        help="la revue, par exemple 2019-2020/final (par défaut : la dernière)",
    )
    formats = bilan.add_argument(
        "--format",  # None: revue.bilan.writers.DEFAULT_WRITER
        help="odt (document modifiable, par défaut), pdf (PDF/A, avec "
        "LibreOffice), md (Markdown) ou toml (données, pour consolider)",
    )
    formats.choices = _Formats()  # set after: add_argument would list them at once
    bilan.add_argument(
        "-o",
        "--output",
        metavar="FICHIER",
        help="fichier à écrire (par défaut : bilan-ID-ANNÉE.odt ou .pdf ; "
        "la sortie standard pour md et toml)",
    )
    bilan.set_defaults(handler=_bilan_quickly)


class _Formats:
    """The ``--format`` choices, the keys of :data:`revue.bilan.writers.WRITERS`: the registry
    is imported when they are checked or shown, not to answer ``revue --version``."""

    def __contains__(self, key: object) -> bool:
        return key in _writers()

    def __iter__(self) -> Iterator[str]:
        return iter(_writers())


def _writers() -> Mapping[str, Writer]:
    from revue.bilan.writers import WRITERS

    return WRITERS


def _bilan_quickly(args: argparse.Namespace, url: str) -> int:
    """A closed review's bilan as text (Markdown, TOML) is its frozen bilan, read without the
    ORM on a store at the current schema (:mod:`revue.store.frozen`); anything else goes
    through the store."""
    from revue.bilan.writers import DEFAULT_WRITER

    writer = _writers()[args.format or DEFAULT_WRITER]
    if writer.render is not None:
        from revue.store.frozen import plain_sqlite_path, quick_frozen_bilan

        path = plain_sqlite_path(url)
        bilan = quick_frozen_bilan(path, args.id, args.review) if path is not None else None
        if bilan is not None:
            if args.output is None:
                sys.stdout.write(writer.render(bilan))
                return 0
            try:
                writer.write(bilan, Path(args.output))
            except OSError as exc:
                return _fail(f"{args.output} : écriture impossible ({exc.strerror})")
            print(f"Bilan écrit dans {args.output}.", file=sys.stderr)
            return 0
    return _with_store(_bilan)(args, url)


def _bilan(args: argparse.Namespace, store: Store) -> int:
    from revue.bilan.writers import DEFAULT_WRITER
    from revue.services.bilan import build_bilan, export_bilan

    key = args.format or DEFAULT_WRITER
    render = _writers()[key].render
    if render is None:  # a document: to a file, bilan-ID-ANNÉE.odt by default
        output = Path(args.output) if args.output else None
        target = export_bilan(store, args.id, args.review, key, output)
        print(f"Bilan écrit dans {target.resolve()}.")
        return 0
    if args.output is None:  # text: to the standard output by default
        sys.stdout.write(render(build_bilan(store, args.id, args.review)))
        return 0
    try:
        export_bilan(store, args.id, args.review, key, Path(args.output))
    except OSError as exc:
        return _fail(f"{args.output} : écriture impossible ({exc.strerror})")
    print(f"Bilan écrit dans {args.output}.", file=sys.stderr)
    return 0


# --- revue config ------------------------------------------------------------------------------


def _add_config(commands: _Commands) -> None:
    config = commands.add_parser("config", help="les réglages (votre nom)", add_help=False)
    actions = _actions(config)
    actions.add_parser("show", help="afficher les réglages", add_help=False).set_defaults(
        handler=_config_show
    )
    cset = actions.add_parser("set", help="changer un réglage", add_help=False)
    cset.add_argument(
        "key",
        choices=["user"],
        metavar="CLÉ",
        help="user : votre nom, auteur par défaut des accompagnements",
    )
    cset.add_argument("value", metavar="VALEUR", help="la nouvelle valeur")
    cset.set_defaults(handler=_config_set)


def _config_show(args: argparse.Namespace, url: str) -> int:
    from revue.formats.config import load_config

    print(f"user = {load_config().user or '(non renseigné)'}")
    return 0


def _config_set(args: argparse.Namespace, url: str) -> int:
    from revue.formats.config import load_config, save_config

    settings = load_config()
    settings.user = args.value.strip()
    print(f"Réglages enregistrés dans {save_config(settings)}.")
    print(f"user = {settings.user or '(non renseigné)'}")
    return 0


# --- revue academic ----------------------------------------------------------------------------


def _add_academic(commands: _Commands) -> None:
    academic = commands.add_parser(
        "academic", help="projets académiques : lister, exporter, supprimer", add_help=False
    )
    actions = _actions(academic)
    actions.add_parser("list", help="lister les projets académiques", add_help=False).set_defaults(
        handler=_with_store(_academic_list)
    )
    exp = actions.add_parser("export", help="exporter un projet académique en TOML", add_help=False)
    exp.add_argument(
        "id", metavar="ID", help="identifiant du projet (voir « revue academic list »)"
    )
    exp.add_argument(
        "-o",
        "--output",
        metavar="FICHIER",
        help="fichier à écrire (par défaut : la sortie standard)",
    )
    exp.add_argument(
        "--canonical",
        action="store_true",
        help="écrire le texte canonique au format version 2 (sans les commentaires du fichier "
        "importé) plutôt que le fichier importé tel quel",
    )
    exp.set_defaults(handler=_with_store(_academic_export))
    rm = actions.add_parser(
        "delete",
        help="supprimer un projet académique qu'aucun contrat ne cite (sauvegarde avant)",
        add_help=False,
    )
    rm.add_argument("id", metavar="ID", help="identifiant du projet (voir « revue academic list »)")
    rm.set_defaults(handler=_with_store(_academic_delete))


def _academic_list(args: argparse.Namespace, store: Store) -> int:
    for p in store.list_academic_projects():
        print(f"{p.id}\t{p.title}\t{p.academie}\t{p.period}\t{p.objective_count} objectifs")
    return 0


def _academic_export(args: argparse.Namespace, store: Store) -> int:
    from revue.formats.academic_toml import export_academic_project

    project = store.get_academic_project(args.id)
    if project is None:
        return _fail(f"aucun projet académique « {args.id} » dans les données")
    text = export_academic_project(project, canonical=args.canonical)
    return _output(text, args.output, "Projet académique")


def _academic_delete(args: argparse.Namespace, store: Store) -> int:
    made = store.delete_academic_project(args.id)
    print(f"Projet académique « {args.id} » supprimé.")
    if made is not None:
        print(f"Sauvegarde faite avant : {made.path.name} (revue backup list).", file=sys.stderr)
    return 0


# --- revue department --------------------------------------------------------------------------


def _add_department(commands: _Commands) -> None:
    department = commands.add_parser(
        "department",
        help="la consolidation des bilans des circonscriptions (DSDEN)",
        add_help=False,
    )
    actions = _actions(department)
    merge = actions.add_parser(
        "consolidate",
        help="consolider des bilans TOML (revue bilan … --format toml)",
        add_help=False,
    )
    merge.add_argument(
        "paths",
        nargs="+",
        metavar="BILAN.toml|DOSSIER",
        help="fichiers de bilan, ou dossiers dont les fichiers .toml sont lus",
    )
    merge.add_argument(
        "--format",
        choices=["odt", "md", "toml", "csv"],
        default="odt",
        help="odt (document, par défaut), md (Markdown), toml (données) ou csv (tableur, "
        "séparateur « ; », UTF-8)",
    )
    merge.add_argument(
        "-o",
        "--output",
        metavar="FICHIER",
        help="fichier à écrire (par défaut : consolidation-bilans.odt ; la sortie standard "
        "pour md, toml et csv)",
    )
    merge.add_argument(
        "--academie",
        metavar="NOM",
        help="l'académie de la DSDEN (par défaut : celle de la plupart des bilans) ; les "
        "bilans d'une autre académie sont refusés",
    )
    merge.set_defaults(handler=_department_consolidate)
    show = actions.add_parser(
        "open", help="ouvrir l'application sur l'écran « Département »", add_help=False
    )
    show.add_argument("folder", metavar="DOSSIER", help="le dossier des bilans TOML reçus")
    show.set_defaults(handler=_department_open)


def _department_consolidate(args: argparse.Namespace, url: str) -> int:
    from revue.department.consolidate import consolidate
    from revue.department.formats import DEFAULT_NAME, WRITERS
    from revue.department.writers import read_line

    consolidation = consolidate(args.paths, academie=args.academie)
    for notice in consolidation.notices:
        print(f"revue : {notice.render()}", file=sys.stderr)
    if consolidation.read == 0:
        return _fail("aucun fichier de bilan (.toml) à lire")
    print(f"revue : {read_line(consolidation)}", file=sys.stderr)
    writer = WRITERS[args.format]
    if writer.render is not None and args.output is None:
        sys.stdout.write(writer.render(consolidation))
        return 0
    target = Path(args.output or DEFAULT_NAME + writer.suffix)
    try:
        writer.write(consolidation, target)
    except OSError as exc:
        return _fail(f"{target} : écriture impossible ({exc.strerror})")
    print(f"Consolidation écrite dans {target}.", file=sys.stderr)
    return 0


def _department_open(args: argparse.Namespace, url: str) -> int:
    folder = Path(args.folder)
    if not folder.is_dir():
        return _fail(f"{folder} : ce n'est pas un dossier")
    from revue.app.factory import make_app  # Textual is loaded only here
    from revue.app.screens.department import DepartmentScreen

    app = make_app(url, notice=_tell)

    async def open_screen(pilot: Any) -> None:
        app.push_screen(DepartmentScreen(folder))

    app.run(auto_pilot=open_screen)
    return app.return_code or 0


# --- main --------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.demo:
            return _demo(args)
        handler: Handler = args.handler
        return handler(args, args.db or default_db_url())
    except RevueError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrompu.")
    except OSError as exc:
        return _fail(f"erreur du système de fichiers : {exc.strerror or type(exc).__name__}")
    except Exception as exc:  # the last net: a sentence and a report, never a traceback
        return _unexpected(exc)


def _unexpected(exc: Exception) -> int:
    """A database error said in French; anything else is a bug in revue: a French sentence
    and a report without personal data, whose path the sentence gives."""
    from revue.formats.crash import crash_message, write_report

    if _known_database_error(exc):
        from revue.store.db import sqlite_reason

        return _fail(f"erreur de la base de données : {sqlite_reason(exc)} ; rien n'a été modifié")
    return _fail(crash_message(exc, write_report(exc)))


def _known_database_error(exc: Exception) -> bool:
    if "sqlalchemy" not in sys.modules and "sqlite3" not in sys.modules:
        return False  # nothing touched a database
    from revue.store.db import is_database_error

    return is_database_error(exc)


if __name__ == "__main__":
    sys.exit(main())
