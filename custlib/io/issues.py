"""What is wrong with an input, where: one :class:`Issue` per problem (file, column,
rows, message, fix), gathered in a :class:`Report`; :class:`InputError` when it stops
the analysis."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc



_SHOW = 5
# --- problems and the report ------------------------------------------------------------

@dataclass(frozen=True)
class Issue:
    """One problem found in the input.

    Attributes
    ----------
    level : {"error", "warning"}
        Errors stop the analysis; warnings were handled by the rule stated in the message.
    file : str
        File name (of the export or of the mapping file).
    column : str or None
        Column as named in the file.
    rows : tuple of int
        The first few row numbers as a spreadsheet shows them (header row = its own number).
    count : int
        How many rows have the problem.
    message, fix : str
        What is wrong, and how to fix it (empty for warnings handled by a rule).
    canonical : str or None
        The canonical column the user's column was mapped to.
    """

    level: str
    file: str
    column: str | None
    rows: tuple[int, ...]
    count: int
    message: str
    fix: str = ""
    canonical: str | None = None

    def __str__(self) -> str:
        where = self.file + (f", column '{self.column}'" if self.column else "")
        if self.canonical and self.canonical != self.column:
            where += f" ({self.canonical})"
        if self.rows:
            shown = ", ".join(map(str, self.rows))
            more = f" and {self.count - len(self.rows)} more" if self.count > len(self.rows) else ""
            where += f", row{'s' if self.count > 1 else ''} {shown}{more}"
        text = f"{self.level}: {where}: {self.message}"
        return text + (f"\n  fix: {self.fix}" if self.fix else "")


@dataclass
class Report:
    """Everything :func:`validate` found: problems, and what was read and derived."""

    source: Path
    mapping: Path | None = None
    as_of: _dt.date | None = None
    as_of_source: str = "today"
    issues: list[Issue] = field(default_factory=list)
    tables: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: the file read for each table
    files: dict[str, Path] = field(default_factory=dict)
    #: size (bytes) and SHA-256 of every file read, by path
    digests: dict[Path, tuple[int, str]] = field(default_factory=dict)
    #: the mapping's [settings] (currency, decimal, earliest_year) and [policy.*]
    settings: dict = field(default_factory=dict)
    policy: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def text(self) -> str:
        """The report as the ``custlib validate`` command prints it."""
        lines = [f"custlib validate: {self.source}"
                 + (f" with mapping {self.mapping}" if self.mapping else "")]
        if self.as_of:
            lines.append(f"extraction date (as_of): {self.as_of} ({self.as_of_source})")
        for name, t in self.tables.items():
            kept = t.get("rows_kept")
            lines.append(f"  {name:<13} {t['file']}: {t['rows_read']:,} rows read"
                         + (f", {kept:,} kept" if kept is not None else ""))
        lines += [f"  note: {n}" for n in self.notes]
        if self.digests:
            lines.append("files read:")
            lines += [f"  {p.name}: {size:,} bytes, SHA-256 {digest}"
                      for p, (size, digest) in self.digests.items()]
        lines.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        lines += [str(i) for i in self.errors] + [str(i) for i in self.warnings]
        lines.append("OK: the data can be analysed." if self.ok else
                     "NOT OK: fix the errors above and run custlib validate again.")
        return "\n".join(lines)


class InputError(ValueError):
    """The input cannot be analysed; ``report`` holds every problem found."""

    def __init__(self, report: Report):
        self.report = report
        super().__init__("\n".join(str(i) for i in report.errors))


def _issue(level, file, column, mask_or_rows, message, fix="", lines=None) -> Issue:
    column, canonical = column if isinstance(column, tuple) else (column, None)
    if mask_or_rows is None:
        rows, count = (), 0
    elif isinstance(mask_or_rows, np.ndarray) and mask_or_rows.dtype == bool:
        idx = np.flatnonzero(mask_or_rows)
        rows, count = tuple(int(x) for x in lines[idx[:_SHOW]]), len(idx)
    else:
        rows, count = tuple(mask_or_rows[:_SHOW]), len(mask_or_rows)
    return Issue(level, file, column, rows, count, message, fix, canonical)


def _sample(values: pa.Array | pa.ChunkedArray, mask: np.ndarray) -> str:
    shown = pc.filter(values, pa.array(mask)).slice(0, _SHOW).to_pylist()
    return ", ".join(repr(v) for v in shown)
