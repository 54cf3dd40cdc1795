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
            prefix = f"{prefix}, champ « {self.field} »" if prefix else f"champ « {self.field} »"
        return f"{prefix} : {self.message}" if prefix else self.message


class ConflictError(RevueError):
    """The store already holds something the operation would overwrite."""


class NotFoundError(RevueError):
    """The thing asked for is not in the store."""
