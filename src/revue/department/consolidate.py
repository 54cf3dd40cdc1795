"""The consolidation of bilans: what was read, refused and set aside, then each
circonscription's review, the coverage of the projet académique and the indicators the
circonscriptions share.

Rules (docs/departement.md):

- a file that cannot be read, of another format version, of another académie, or whose
  closed review contradicts the fingerprint it cites is refused, with a French message
  naming it; the others are consolidated;
- the académie is the one given, or else the one most files name (a tie is refused: say
  which with ``--academie``);
- two bilans of one circonscription, school year and kind: the later written is kept (then
  the later closed, then the later given), the other set aside, said aloud; two files that
  cite one fingerprint but differ are both refused;
- an indicator is shared when circonscriptions have it under the same projet académique
  objective (its id), with the same label (compared without case or accents) and unit;
  percentages are rates (their distribution), anything else counts (their sum);
- what is missing: for each school year, each circonscription of the consolidation without
  a bilan that year; each provisional bilan.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from revue.domain.errors import InputError, RevueError
from revue.domain.french import date as french_date
from revue.domain.french import fold
from revue.domain.schoolyear import school_year_start
from revue.formats.bilan_reader import (
    KIND_VALUES,
    NOT_EXAMINED,
    STATUS_VALUES,
    AcademicLink,
    BilanRead,
    fingerprint_problems,
    read_bilan,
)

#: The order statuses are shown in, "non-examine" last.
STATUS_KEYS = [*(k for k in STATUS_VALUES if k != NOT_EXAMINED), NOT_EXAMINED]
KIND_ORDER = list(KIND_VALUES)
#: The most files a consolidation reads (a department has well under a hundred
#: circonscriptions; a few years of them).
MAX_FILES = 5000


@dataclass(frozen=True)
class Notice:
    """Something said about one file (or one circonscription): ``kind`` is ``refuse``,
    ``doublon``, ``manque``, ``provisoire`` or ``avertissement``."""

    kind: str
    message: str
    file: str = ""

    def render(self) -> str:
        if not self.file or self.message.startswith(self.file):
            return self.message  # a reader's error names its file already
        return f"{self.file} : {self.message}"


@dataclass(frozen=True)
class Serving:
    """A circonscription's objective serving a projet académique objective."""

    circonscription: str
    school_year: str
    kind: str
    number: int
    text: str
    status: str


@dataclass
class AcademicLine:
    link: AcademicLink
    serving: list[Serving] = field(default_factory=list)

    def status_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self.serving:
            counts[s.status] = counts.get(s.status, 0) + 1
        return counts


@dataclass(frozen=True)
class SharedValue:
    circonscription: str
    kind: str
    value: float | None  # the value observed in the school year; None: not measured
    target: float | None
    target_year: str | None
    direction: str
    off_track: bool

    @property
    def gap(self) -> float | None:
        """Value minus target (None unless both are known)."""
        if self.value is None or self.target is None:
            return None
        return self.value - self.target

    @property
    def reached(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        if self.direction == "lower":
            return self.value <= self.target
        return self.value >= self.target


@dataclass
class SharedIndicator:
    academic: AcademicLink
    label: str
    unit: str
    school_year: str
    values: list[SharedValue] = field(default_factory=list)

    @property
    def rate(self) -> bool:
        return self.unit.strip() == "%"

    @property
    def measured(self) -> list[float]:
        return [v.value for v in self.values if v.value is not None]

    @property
    def total(self) -> float | None:
        """The sum of the values (counts only)."""
        measured = self.measured
        return None if self.rate or not measured else sum(measured)

    @property
    def target_total(self) -> float | None:
        targets = [v.target for v in self.values if v.target is not None]
        return None if self.rate or not targets else sum(targets)

    @property
    def distribution(self) -> tuple[float, float, float] | None:
        """(lowest, median, highest) of the values (rates only)."""
        measured = self.measured
        if not self.rate or not measured:
            return None
        return min(measured), statistics.median(measured), max(measured)

    @property
    def reached(self) -> int:
        return sum(1 for v in self.values if v.reached)

    @property
    def with_target(self) -> int:
        return sum(1 for v in self.values if v.reached is not None)


@dataclass
class Consolidation:
    academie: str
    read: int  # files read
    kept: list[BilanRead]
    notices: list[Notice]
    academic: list[AcademicLine]
    shared: list[SharedIndicator]
    #: (school year, circonscription) with no bilan that year
    missing: list[tuple[str, str]]

    @property
    def years(self) -> list[str]:
        return sorted({b.school_year for b in self.kept}, key=school_year_start)

    @property
    def kinds(self) -> list[str]:
        return [k for k in KIND_ORDER if any(b.kind == k for b in self.kept)]

    @property
    def axes(self) -> list[str]:
        return sorted({line.link.axe for line in self.academic if line.link.axe})

    @property
    def circonscriptions(self) -> list[str]:
        return sorted({b.circonscription for b in self.kept}, key=fold)

    @property
    def provisional(self) -> list[BilanRead]:
        return [b for b in self.kept if b.provisional]

    def problems(self) -> list[Notice]:
        """Refusals, set-aside duplicates and warnings (not what is missing)."""
        return [n for n in self.notices if n.kind in ("refuse", "doublon", "avertissement")]

    def select(
        self, *, year: str | None = None, kind: str | None = None, axe: str | None = None
    ) -> Consolidation:
        """The same consolidation restricted to a school year, a kind of review, an axe of
        the projet académique (None: all)."""
        kept = [
            b
            for b in self.kept
            if (year is None or b.school_year == year) and (kind is None or b.kind == kind)
        ]
        return _consolidated(
            self.academie,
            self.read,
            kept,
            [n for n in self.notices if n.kind != "manque"],
            axe=axe,
            all_circonscriptions={b.circonscription for b in self.kept},
            years=[year] if year else None,
        )


def bilan_files(paths: Sequence[str | Path]) -> list[Path]:
    """The files to read: each file given, and the ``.toml`` files of each folder given (not
    its sub-folders), in name order."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix == ".toml" and p.is_file())
        else:
            files.append(path)
    if len(files) > MAX_FILES:
        raise RevueError(f"trop de fichiers ({len(files)} ; au plus {MAX_FILES})")
    return files


def consolidate(paths: Sequence[str | Path], *, academie: str | None = None) -> Consolidation:
    """Read the bilan files (or folders of them) and consolidate them."""
    files = bilan_files(paths)
    notices: list[Notice] = []
    read: list[BilanRead] = []
    for path in files:
        try:
            read.append(read_bilan(path))
        except InputError as exc:
            notices.append(Notice("refuse", str(exc), str(path)))
    return consolidate_read(read, academie=academie, notices=notices, count=len(files))


def consolidate_read(
    bilans: Iterable[BilanRead],
    *,
    academie: str | None = None,
    notices: list[Notice] | None = None,
    count: int | None = None,
) -> Consolidation:
    """Consolidate bilans already read (in the order given: the later wins a tie)."""
    bilans = list(bilans)
    notices = list(notices or [])
    chosen = _academie(bilans, academie)
    candidates: list[BilanRead] = []
    for bilan in bilans:
        if chosen and bilan.academie and fold(bilan.academie) != fold(chosen):
            notices.append(
                Notice(
                    "refuse",
                    f"bilan de l'académie de {bilan.academie} (consolidation : académie de "
                    f"{chosen}) : non consolidé",
                    bilan.file,
                )
            )
            continue
        problems = fingerprint_problems(bilan)
        if problems:
            notices.append(
                Notice(
                    "refuse",
                    "contenu qui ne correspond pas à la revue ou à l'empreinte qu'il cite "
                    f"({' ; '.join(problems)}) : non consolidé",
                    bilan.file,
                )
            )
            continue
        if not bilan.academie:
            notices.append(
                Notice("avertissement", "académie non indiquée dans le bilan", bilan.file)
            )
        candidates.append(bilan)
    kept = _without_duplicates(candidates, notices)
    return _consolidated(
        chosen,
        len(bilans) if count is None else count,
        kept,
        notices,
        all_circonscriptions={b.circonscription for b in kept},
    )


def _academie(bilans: list[BilanRead], given: str | None) -> str:
    if given:
        return given.strip()
    votes: dict[str, tuple[int, str]] = {}
    for bilan in bilans:
        if bilan.academie:
            n, name = votes.get(fold(bilan.academie), (0, bilan.academie))
            votes[fold(bilan.academie)] = (n + 1, name)
    if not votes:
        return ""
    ranked = sorted(votes.values(), key=lambda v: -v[0])
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        tied = " et ".join(f"{name} ({n} bilans)" for n, name in ranked if n == ranked[0][0])
        raise RevueError(
            f"les bilans viennent d'académies différentes à égalité : {tied} ; précisez "
            "l'académie (--academie NOM)"
        )
    return ranked[0][1]


def _later(bilan: BilanRead, order: int) -> tuple[object, ...]:
    taken = bilan.snapshot_taken_at.isoformat() if bilan.snapshot_taken_at else ""
    return (bilan.written_on, taken, order)


def _without_duplicates(bilans: list[BilanRead], notices: list[Notice]) -> list[BilanRead]:
    by_fingerprint: dict[str, BilanRead] = {}
    refused: set[int] = set()
    for bilan in bilans:
        if not bilan.snapshot_sha256:
            continue
        other = by_fingerprint.setdefault(bilan.snapshot_sha256, bilan)
        if other is not bilan and other.content != bilan.content:
            for one, two in ((bilan, other), (other, bilan)):
                notices.append(
                    Notice(
                        "refuse",
                        f"cite la même empreinte de revue clôturée que {Path(two.file).name} mais son "
                        "contenu diffère : l'un des deux a été modifié après la clôture ; "
                        "aucun des deux n'est consolidé",
                        one.file,
                    )
                )
                refused.add(id(one))
    groups: dict[tuple[str, str, str], list[tuple[int, BilanRead]]] = {}
    for order, bilan in enumerate(bilans):
        if id(bilan) in refused:
            continue
        key = (fold(bilan.circonscription), bilan.school_year, bilan.kind)
        groups.setdefault(key, []).append((order, bilan))
    kept = []
    for group in groups.values():
        group.sort(key=lambda item: _later(item[1], item[0]))
        winner = group[-1][1]
        kept.append(winner)
        for _, loser in group[:-1]:
            same = " (contenu identique)" if loser.content == winner.content else ""
            notices.append(
                Notice(
                    "doublon",
                    f"doublon{same} ({_which(winner)}) : écarté ; gardé le plus "
                    f"récent, {Path(winner.file).name}, établi le "
                    f"{french_date(winner.written_on)}",
                    loser.file,
                )
            )
    return kept


def _which(bilan: BilanRead) -> str:
    """« Épinay-sur-Seine, 2019-2020, bilan final »."""
    return f"{bilan.circonscription}, {bilan.school_year}, {KIND_VALUES[bilan.kind]}"


def _order(bilan: BilanRead) -> tuple[object, ...]:
    return (
        school_year_start(bilan.school_year),
        KIND_ORDER.index(bilan.kind),
        fold(bilan.circonscription),
    )


def _consolidated(
    academie: str,
    read: int,
    kept: list[BilanRead],
    notices: list[Notice],
    *,
    axe: str | None = None,
    all_circonscriptions: set[str],
    years: list[str] | None = None,
) -> Consolidation:
    kept = sorted(kept, key=_order)
    notices = [n for n in notices if n.kind != "provisoire"]
    notices += [
        Notice(
            "provisoire",
            f"bilan provisoire ({_which(b)}) : la revue n'est pas clôturée",
            b.file,
        )
        for b in kept
        if b.provisional
    ]
    wanted_years = years or sorted({b.school_year for b in kept}, key=school_year_start)
    have = {(b.school_year, fold(b.circonscription)) for b in kept}
    missing = [
        (year, circo)
        for year in wanted_years
        for circo in sorted(all_circonscriptions, key=fold)
        if (year, fold(circo)) not in have
    ]
    notices += [Notice("manque", f"{circo}, {year} : aucun bilan") for year, circo in missing]
    return Consolidation(
        academie=academie,
        read=read,
        kept=kept,
        notices=notices,
        academic=_academic_lines(kept, axe),
        shared=_shared(kept, axe),
        missing=missing,
    )


def _academic_lines(kept: list[BilanRead], axe: str | None) -> list[AcademicLine]:
    lines: dict[str, AcademicLine] = {}
    for bilan in kept:
        for objective in bilan.objectives:
            for link in objective.academic_links:
                if axe is not None and link.axe != axe:
                    continue
                line = lines.setdefault(link.id, AcademicLine(link))
                line.serving.append(
                    Serving(
                        bilan.circonscription,
                        bilan.school_year,
                        bilan.kind,
                        objective.number,
                        objective.text,
                        objective.status,
                    )
                )
    return sorted(
        lines.values(), key=lambda line: (_code_key(line.link.code), fold(line.link.title))
    )


def _code_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """« 1.10 » after « 1.2 »; no code last."""
    if not code:
        return ((1, ""),)
    return tuple((0, int(p)) if p.isdigit() else (0, p) for p in code.split("."))


def _shared(kept: list[BilanRead], axe: str | None) -> list[SharedIndicator]:
    groups: dict[tuple[str, str, str, str], SharedIndicator] = {}
    for bilan in kept:
        for objective in bilan.objectives:
            for link in objective.academic_links:
                if axe is not None and link.axe != axe:
                    continue
                for indicator in objective.indicators:
                    key = (
                        link.id,
                        fold(indicator.label),
                        indicator.unit.strip(),
                        bilan.school_year,
                    )
                    group = groups.setdefault(
                        key,
                        SharedIndicator(link, indicator.label, indicator.unit, bilan.school_year),
                    )
                    group.values.append(
                        SharedValue(
                            bilan.circonscription,
                            bilan.kind,
                            indicator.values.get(bilan.school_year),
                            indicator.target,
                            indicator.target_year,
                            indicator.direction,
                            indicator.off_track,
                        )
                    )
    shared = [g for g in groups.values() if len({fold(v.circonscription) for v in g.values}) > 1]
    for group in shared:
        group.values.sort(key=lambda v: (fold(v.circonscription), KIND_ORDER.index(v.kind)))
    return sorted(
        shared,
        key=lambda g: (
            school_year_start(g.school_year),
            _code_key(g.academic.code),
            fold(g.academic.title),
            fold(g.label),
        ),
    )
