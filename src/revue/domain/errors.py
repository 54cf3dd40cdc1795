"""Errors that reach the user: each carries a French message ready to print."""

from __future__ import annotations


class RevueError(Exception):
    """An error the user can act on; ``str()`` is a complete French sentence."""


class InputError(RevueError):
    """A file given to revue cannot be read: names the file, the line when known, the field."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.render())

    def render(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line:
            where.append(f"ligne {self.line}")
        prefix = ", ".join(where)
        if self.field:
            # non-breaking spaces inside the guillemets: « never ends a line alone
            field = f"champ «\u00a0{self.field}\u00a0»"
            prefix = f"{prefix}, {field}" if prefix else field
        return f"{prefix} : {self.message}" if prefix else self.message


class InputErrors(InputError):
    """Several problems found in one file (at most :data:`MAX_REPORTED`), reported in one run:
    ``str()`` gives one located line per problem, in file order."""

    MAX_REPORTED = 20

    def __init__(self, errors: list[InputError], *, more: bool = False) -> None:
        self.errors = errors
        self.more = more
        first = errors[0]
        super().__init__(first.message, file=first.file, line=first.line, field=first.field)

    def render(self) -> str:
        lines = [error.render() for error in self.errors]
        if self.more:
            lines.append(
                f"{self.errors[0].file} : d'autres erreurs suivent ; corrigez ces "
                f"{len(self.errors)} premières puis relancez"
            )
        return "\n".join(lines)


class ConflictError(RevueError):
    """The store already holds something the operation would overwrite."""


class StaleEdit(ConflictError):
    """What an edit started from is no longer what is stored: someone saved another value
    meanwhile (another window, another process). ``theirs`` holds the stored values, by field,
    that the edit would have overwritten."""

    def __init__(self, theirs: dict[str, object], message: str = "") -> None:
        super().__init__(message or "modifié ailleurs entre-temps")
        self.theirs = theirs


class NotFoundError(RevueError):
    """The thing asked for is not in the store."""


class UntrustedFile(RevueError):
    """An exchange file signed by keys this store does not know yet (or not signed at all):
    nothing is imported until someone who checked the fingerprints accepts them.

    ``keys``: (name, full fingerprint) of each unknown key; ``unsigned``: a format 1 file."""

    def __init__(self, file: str, keys: list[tuple[str, str]], *, unsigned: bool = False) -> None:
        self.file = file
        self.keys = keys
        self.unsigned = unsigned
        if unsigned:
            message = (
                f"{file} : fichier non signé (ancien format 1) : revue ne peut pas vérifier "
                "qui l'a écrit ni s'il a été modifié depuis"
            )
        else:
            listed = "; ".join(f"{name} (empreinte {_short(fp)})" for name, fp in keys)
            message = f"{file} : signé par une clé inconnue ici : {listed}"
        super().__init__(message)


def _short(fingerprint: str) -> str:
    head = fingerprint[:32].upper()
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))
