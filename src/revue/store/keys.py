"""The store's signing key and the keys of colleagues it trusts (trust on first use).

The private key is kept in the store itself (table ``store_key``), not in a file beside it:
the store file is already readable by its owner only (0600 in a 0700 folder); a backup put back
keeps the same key, so colleagues do not see a "changed key"; the key cannot be lost apart from
the data it signs; and a server database has no folder to put a file in. It is never written
to an exchange file, only its public half.

A colleague's key is accepted once, under the name it came with, by someone who checked its
fingerprint with its owner; afterwards, a file is refused whole if it brings a version signed by
a key that is unknown (until accepted), removed from trust, presented under another name than
the one it was accepted under, or presented under the name of a person this store already
knows by another key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from revue.domain.errors import InputError, NotFoundError, UntrustedFile
from revue.domain.log import KnownKey
from revue.formats.exchange import Exchange, KeyInfo, clean_name
from revue.formats.signing import SigningKey, short_fingerprint
from revue.store.db import read_session, write_session
from revue.store.models import KnownKeyRow, StoreKeyRow


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Keys:
    """This store's key and the keys it trusts. ``name()`` is this store's user (the name its
    key signs under)."""

    def __init__(self, engine: Engine, name: Callable[[], str]) -> None:
        self.engine = engine
        self._name = name
        self._own: SigningKey | None = None

    # --- this store's key --------------------------------------------------------------------

    def own(self) -> SigningKey:
        """This store's key, made (and kept) the first time it is asked for."""
        if self._own is None:
            with read_session(self.engine) as session:
                row = session.get(StoreKeyRow, 1)
                raw = row.private_key if row is not None else None
            if raw is None:
                with write_session(self.engine) as session:
                    raw = self._own_in(session).private_bytes()
            self._own = SigningKey.from_bytes(raw)
        return self._own

    @staticmethod
    def _own_in(session: Session) -> SigningKey:
        row = session.get(StoreKeyRow, 1)
        if row is not None:
            return SigningKey.from_bytes(row.private_key)
        key = SigningKey.generate()
        session.add(StoreKeyRow(id=1, private_key=key.private_bytes(), fingerprint=key.fingerprint))
        session.flush()
        return key

    def own_fingerprint(self, session: Session) -> str | None:
        return session.scalar(select(StoreKeyRow.fingerprint).where(StoreKeyRow.id == 1))

    # --- colleagues' keys --------------------------------------------------------------------

    @staticmethod
    def public_keys(session: Session) -> dict[str, KeyInfo]:
        """Every key known here, trusted or removed, by fingerprint (to relay what it signed)."""
        return {
            row.fingerprint: KeyInfo(row.name, row.public_key)
            for row in session.scalars(select(KnownKeyRow))
        }

    def names(self, session: Session) -> dict[str, str]:
        """Who each known key (this store's too) stands for, by fingerprint."""
        names = dict(session.execute(select(KnownKeyRow.fingerprint, KnownKeyRow.name)).all())
        own = self.own_fingerprint(session)
        if own is not None:
            names[own] = self._name()
        return names

    def listing(self) -> list[KnownKey]:
        """This store's key first (made if need be), then every colleague's, by name."""
        own = self.own()
        with read_session(self.engine) as session:
            created = session.scalar(select(StoreKeyRow.created_at)) or _now()
            rows = session.scalars(select(KnownKeyRow).order_by(KnownKeyRow.name)).all()
            others = [
                KnownKey(r.fingerprint, r.name, r.added_at, r.removed_at)
                for r in rows
                if r.fingerprint != own.fingerprint
            ]
        return [KnownKey(own.fingerprint, clean_name(self._name()), created, own=True), *others]

    def remove(self, fingerprint: str) -> KnownKey:
        """Stop trusting a key, given by its fingerprint or the start of it (spaces ignored)."""
        wanted = "".join(fingerprint.split()).lower()
        with write_session(self.engine) as session:
            if len(wanted) < 8:
                raise NotFoundError(
                    "donnez au moins les 8 premiers caractères de l'empreinte de la clé"
                )
            rows = [
                r
                for r in session.scalars(select(KnownKeyRow))
                if r.fingerprint.startswith(wanted) and r.removed_at is None
            ]
            if not rows:
                raise NotFoundError(
                    f"aucune clé de confiance dont l'empreinte commence par « {fingerprint} » "
                    "(revue exchange trust list les montre)"
                )
            if len(rows) > 1:
                raise NotFoundError(
                    f"plusieurs clés ont une empreinte qui commence par « {fingerprint} » : "
                    "donnez-en davantage"
                )
            (row,) = rows
            row.removed_at = _now()
            return KnownKey(row.fingerprint, row.name, row.added_at, row.removed_at)

    def trust_file(self, exchange: Exchange) -> list[str]:
        """Trust every key that signed the file or a version in it, with the checks of an
        import (a changed key is still refused); the names of the keys trusted now."""
        if not exchange.signed:
            raise InputError(
                "fichier non signé (ancien format 1) : il n'a pas de clé à accepter",
                file=exchange.filename,
            )
        signers = exchange.signers()
        exchange.check_signatures(exchange.versions)
        with write_session(self.engine) as session:
            before = {
                fp
                for fp, removed in session.execute(
                    select(KnownKeyRow.fingerprint, KnownKeyRow.removed_at)
                )
                if removed is None
            }
            names = self.admit(session, exchange, signers, accept=set(signers))
            own = self.own_fingerprint(session)
        return [name for fp, name in names.items() if fp not in before and fp != own]

    def admit(
        self,
        session: Session,
        exchange: Exchange,
        signers: Mapping[str, KeyInfo],
        *,
        accept: Collection[str] = (),
        unsigned: bool = False,
    ) -> dict[str, str]:
        """Check the keys that signed what a file brings (``signers``), inside the caller's
        transaction: the name each stands for, by fingerprint. Keys in ``accept`` (checked by
        the user) are trusted from now on, with the transaction. Raises UntrustedFile for keys
        not yet accepted (or an unsigned file, unless ``unsigned``), InputError for a key that
        cannot be trusted at all; nothing is written then."""
        if not exchange.signed:
            if not unsigned:
                raise UntrustedFile(exchange.filename, [], unsigned=True)
            return {}
        own = self.own_fingerprint(session)
        own_name = self._name()
        rows = {r.fingerprint: r for r in session.scalars(select(KnownKeyRow))}
        trusted_names = {r.name: fp for fp, r in rows.items() if r.removed_at is None}
        if own_name:
            trusted_names.setdefault(own_name, own or "")
        names: dict[str, str] = {}
        unknown: list[tuple[str, str]] = []
        new_names: set[str] = set()
        for fp, info in signers.items():
            if fp == own:
                names[fp] = own_name
                continue
            row = rows.get(fp)
            if row is not None and row.removed_at is None:
                if row.name != info.name:
                    raise _renamed(exchange.filename, row.name, info)
                names[fp] = row.name
                continue
            _check_new(exchange.filename, info, trusted_names, new_names)
            if fp in accept:
                names[fp] = info.name
            elif row is not None:
                raise _removed(exchange.filename, info, row)
            else:
                unknown.append((info.name, fp))
        if unknown:
            raise UntrustedFile(exchange.filename, unknown)
        for fp, name in names.items():
            if fp == own:
                continue
            row = rows.get(fp)
            if row is None:
                session.add(
                    KnownKeyRow(fingerprint=fp, public_key=signers[fp].public_key, name=name)
                )
            elif row.removed_at is not None:
                row.removed_at, row.name, row.added_at = None, name, _now()
        session.flush()
        return names


def _check_new(
    filename: str, info: KeyInfo, trusted_names: Mapping[str, str], new_names: set[str]
) -> None:
    """A key not trusted yet may not take the name of a person known by another key."""
    holder = trusted_names.get(info.name)
    if holder is not None and holder != info.fingerprint:
        raise _changed_key(filename, info, holder)
    if info.name in new_names:
        raise InputError(
            f"deux clés inconnues se présentent sous le même nom « {info.name} » : "
            "l'une prétend être l'autre ; le fichier est refusé en entier",
            file=filename,
        )
    new_names.add(info.name)


def _removed(filename: str, info: KeyInfo, row: KnownKeyRow) -> InputError:
    when = f" le {row.removed_at:%d/%m/%Y}" if row.removed_at else ""
    return InputError(
        f"la clé de {info.name} (empreinte {short_fingerprint(info.fingerprint)}) a été "
        f"retirée de la confiance{when} ; pour l'accepter de nouveau : revue exchange trust "
        "add FICHIER ; rien n'a été importé",
        file=filename,
    )


def _renamed(filename: str, known: str, info: KeyInfo) -> InputError:
    return InputError(
        f"la clé d'empreinte {short_fingerprint(info.fingerprint)} est connue ici sous le nom "
        f"« {known} », et ce fichier la présente sous le nom « {info.name} » : il est refusé en "
        "entier. Si cette personne a vraiment changé de nom, retirez l'ancienne confiance "
        "(revue exchange trust remove EMPREINTE) puis acceptez le fichier de nouveau",
        file=filename,
    )


def _changed_key(filename: str, info: KeyInfo, holder: str) -> InputError:
    return InputError(
        f"ce fichier se présente comme venant de {info.name}, mais avec une autre clé "
        f"(empreinte {short_fingerprint(info.fingerprint)}) que celle que cet ordinateur connaît "
        f"pour ce nom (empreinte {short_fingerprint(holder)}) : il est refusé en entier. "
        "Si cette personne a vraiment changé de clé (nouvel ordinateur), vérifiez la nouvelle "
        "empreinte avec elle, puis : revue exchange trust remove "
        f"{holder[:8].upper()}, et importez le fichier avec --trust",
        file=filename,
    )
