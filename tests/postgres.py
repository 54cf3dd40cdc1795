"""A throw-away PostgreSQL server for the tests: initdb and pg_ctl in a temporary folder, on a
free port of localhost, its unix socket in that folder, stopped at the end of the session.

One server per test session (per xdist worker); each test gets its own database, made from a
template that already holds revue's schema (``CREATE DATABASE … TEMPLATE``: a file copy, much
faster than running the migrations again). Where the server's programs or psycopg are missing,
:func:`why_unavailable` says so and the PostgreSQL half of the suite is skipped with that reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

#: Where Debian's postgresql-NN packages put the server's programs.
_DEBIAN_BINARIES = "/usr/lib/postgresql/*/bin"
#: The superuser of the test server (trust authentication on localhost only).
ADMIN = "revue_test"


def _version(name: str) -> int:
    return int(name) if name.isdigit() else 0


def server_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else the newest Debian install."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    found = sorted(glob.glob(_DEBIAN_BINARIES), key=lambda p: _version(Path(p).parent.name))
    for folder in reversed(found):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def why_unavailable() -> str:
    """ "" when a test server can be started here; else why not (the skip reason)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test,postgresql]')"
    if server_binaries() is None:
        return "the PostgreSQL server programs (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    return ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running test server; :meth:`stop` ends it."""

    folder: Path
    port: int
    bin: Path
    #: The command prefix that runs a program as the server's owner (root cannot run it).
    as_owner: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, folder: Path, *, durable: bool = False) -> Server:
        """Start a server in ``folder`` (made here; its parent must be reachable by the
        server's owner: a folder of the system's temporary folder, not pytest's private one).

        ``durable``: a commit waits for the disk, as on a real server (benchmarks); the tests
        do without (``fsync=off``), which PostgreSQL's own test suite does too."""
        binaries = server_binaries()
        assert binaries is not None
        as_owner: list[str] = []
        folder.mkdir(mode=0o700)
        if os.geteuid() == 0:  # initdb refuses to run as root: run it as 'postgres'
            owner = pwd.getpwnam("postgres")
            as_owner = ["runuser", "-u", "postgres", "--"]
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        server = cls(folder, _free_port(), binaries, as_owner)
        data = folder / "data"
        server._run(
            "initdb",
            "-D",
            str(data),
            "-U",
            ADMIN,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = " ".join(
            [
                f"-p {server.port}",
                f"-k {folder}",
                "-c listen_addresses=127.0.0.1",
                *(
                    []
                    if durable
                    else ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
                ),
                "-c max_connections=200",
                "-c shared_buffers=32MB",
            ]
        )
        log = folder / "server.log"
        server._run("pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
        return server

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.as_owner, str(self.bin / program), *args],
            check=True,
            capture_output=True,
            cwd=self.folder,
            timeout=120,
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")

    def url(self, database: str, user: str = ADMIN) -> str:
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def execute(self, *statements: str, database: str = "postgres") -> None:
        """Run statements as the superuser, outside any transaction (CREATE DATABASE…)."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=ADMIN, dbname=database, autocommit=True
        ) as conn:
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]

    def new_database(self, template: str | None = None) -> str:
        """A new database's name, empty or a copy of ``template``."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        copy = f" TEMPLATE {template} STRATEGY file_copy" if template else ""
        self.execute(f"CREATE DATABASE {name}{copy}")
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
