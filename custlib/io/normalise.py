"""One table of an export made canonical, column by column: ids, dates, amounts,
categories and text, each warning by a rule of :data:`custlib.io.rules.RULES` (applied by
its function in :mod:`custlib.io.rules`); and the text guard of every CSV written
(:func:`neutralise`)."""

from __future__ import annotations

import datetime as _dt
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custlib import money, schema
from custlib.io import parse as _parse
from custlib.io import rules
from custlib.io.issues import _SHOW, Report, _issue, _sample
from custlib.io.mapping import IGNORE, TableMapping, _targets
from custlib.io.rules import _CONTROL, _dictionary_codes, _np, _present


#: What a spreadsheet reads as the start of a formula (OWASP "CSV injection"): text
#: starting with one of these gets a leading ``'`` in every CSV custlib writes.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = "^([" + "".join("\\" + c if c in "-\\]^" else c for c in FORMULA_START) + "])"
_FORMULA_FIRST = pa.array(FORMULA_START)
_LINE = "__row__"  # the source row of each kept row, for messages; never written
_TRUE = ("true", "t", "yes", "y", "1", "是", "对", "√")
_FALSE = ("false", "f", "no", "n", "0", "否", "错", "×")
#: Dated tables whose rows after the extraction date are left out.
_EVENT_DATES = {"orders": "order_date", "activities": "activity_date"}
#: Prefix of numbered keys when an export has no id column.
_KEY_PREFIX = {"orders": "O", "contacts": "P", "opportunities": "K", "activities": "A",
               "events": "E", "reps": "R"}

# --- parsing values ----------------------------------------------------------------------

# --- one table ---------------------------------------------------------------------------

@dataclass
class _ColumnResult:
    """What reading one column gave: its typed values (None when it has errors), its
    issues and notes, and the rows it leaves out."""
    value: pa.Array | None = None
    issues: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    drop: np.ndarray | None = None


#: Columns of a table with at least this many rows are read in parallel, by
#: :data:`_WORKERS` threads (Arrow's compute functions release the GIL); a smaller
#: table is read column after column. The result is the same either way.
_PARALLEL_ROWS = 50_000
_WORKERS = max(1, min(4, os.cpu_count() or 1))


def _normalise(name: str, file: Path, raw: pa.Table, lines: np.ndarray, tmap: TableMapping,
               as_of: _dt.date, report: Report, settings: dict | None = None) -> pa.Table | None:
    """The canonical columns of one table (typed arrow arrays), or None on errors."""
    settings = settings or {}
    spec = schema.TABLES[name]
    label = file.name
    errors_before = len(report.errors)

    def add(level, column, mask, message, fix=""):
        report.issues.append(_issue(level, label, column, mask, message, fix, lines))

    # rename: mapping first, canonical names as they are, case and spaces forgiven
    rename, source_of = {}, {}
    targets = _targets(name)
    lowered = {t.lower(): t for t in targets}
    claims: dict[str, list[str]] = {}
    for src in raw.column_names:
        dst = tmap.columns.get(src) or (src if src in targets else lowered.get(src.strip().lower()))
        if dst and dst != IGNORE:
            claims.setdefault(dst, []).append(src)
    for dst, srcs in claims.items():
        if len(srcs) > 1:
            add("error", None, None, f"columns {srcs} would all be read as {dst!r}",
                f"keep one: map the others to \"{IGNORE}\" in the mapping file, e.g. "
                f"[{name}.columns] \"{srcs[1]}\" = \"{IGNORE}\"")
            continue
        rename[srcs[0]] = dst
        source_of[dst] = srcs[0]
    if len(report.errors) > errors_before:
        return None
    ignored = [c for c in raw.column_names if c not in rename]
    if ignored:
        report.notes.append(f"{label}: columns not used {ignored[:8]}"
                            + (f" and {len(ignored) - 8} more" if len(ignored) > 8 else ""))
    missing = [c for c in schema.CORE[name] if c not in source_of]
    if missing:
        add("error", None, None,
            f"has no column for {missing} (needed for {name}); its headers are {raw.column_names}",
            f"map your headers in the mapping file: [{name}.columns] \"<your header>\" = "
            f"\"{missing[0]}\"")
        return None

    def shown(c):
        return (source_of[c], c)

    n = raw.num_rows
    keep = np.ones(n, dtype=bool)
    cols: dict[str, pa.Array] = {}

    def column(dst: str, src: str) -> _ColumnResult:
        """One column checked and typed: what it found goes to its own result, so the
        columns can be read in parallel and their findings reported in column order."""
        out = _ColumnResult()

        def put(level, column, mask, message, fix=""):
            out.issues.append(_issue(level, label, column, mask, message, fix, lines))
        col = rules.blank(raw.column(src))
        c = spec.column(dst) if dst in spec.names else schema.TABLES["customers"].column(dst)
        present = _present(col)
        where = shown(dst)

        def problems(parsed):
            for p in parsed.problems:
                put(p.level, where, p.mask, p.message, p.fix)
            if parsed.note:
                out.notes.append(f"{label}, column '{src}': {parsed.note}")
            return not parsed.errors

        if c.dtype == "string":
            text = pc.utf8_trim_whitespace(col)
            if dst == "customer_id" and name != "customers":
                first, multi = rules.several_customers(text)
                if multi.any():
                    put("warning", where, multi, f"{int(multi.sum())} row(s) name several "
                        f"customers ({_sample(text, multi)}): the first is used, as the primary "
                        "association")
                text = first
            if dst.endswith("_id"):
                text, changed = rules.ids(text)
                if changed.any():
                    put("warning", where, changed, f"{int(changed.sum())} id(s) held invisible "
                        "characters (zero-width spaces, byte-order marks), full-width forms or "
                        f"spaces ({_sample(col, changed)}): normalised, so equal ids match")
            cleaned, ctrl = rules.control(text)
            if ctrl.any():
                put("warning", where, ctrl, f"{int(ctrl.sum())} value(s) hold control characters "
                    f"({_sample(text, ctrl)}): removed, as no spreadsheet can show them")
            text = cleaned
            out.value = text
        elif c.dtype == "date":
            earliest = 1900 if dst == "birthday" else settings.get("earliest_year", _parse.EARLIEST_YEAR)
            ahead = 10 if dst == "expected_close_date" else 5
            parsed = _parse.parse_dates(col, tmap.date_format, earliest_year=earliest,
                                        latest_year=as_of.year + ahead,
                                        setting=f"[{name}] date_format",
                                        excel=file.suffix.lower() in (".xlsx", ".xlsm"))
            if problems(parsed):
                out.value = parsed.values
        elif c.dtype in ("int", "float", "money"):
            parsed = _parse.parse_numbers(col, tmap.decimal or settings.get("decimal"),
                                          money=c.dtype == "money",
                                          percent_ok=c.dtype == "float",
                                          setting=f"[{name}] decimal")
            if not problems(parsed):
                return out
            num = parsed.values
            if dst in tmap.scale:
                num = pc.multiply(num, tmap.scale[dst])
            if c.dtype == "int":
                frac = _present(num) & (_np(pc.fill_null(pc.not_equal(num, pc.floor(num)), False)))
                if frac.any():
                    put("error", where, frac, f"{int(frac.sum())} value(s) are not whole numbers "
                        f"({_sample(col, frac)})", f"{dst} counts {c.unit or 'units'}: check "
                        "these rows")
                    return out
                num = pc.cast(num, pa.int64())
            low = c.minimum is not None and not (name == "orders" and dst == "amount")
            below = _np(pc.fill_null(pc.less(num, c.minimum), False)) if low else np.zeros(n, bool)
            if below.any():
                put("error", where, below, f"{int(below.sum())} value(s) below {c.minimum:g}"
                    f" ({_sample(col, below)})", "check the sign of these values in the export")
                return out
            if dst == "probability":
                over = _np(pc.fill_null(pc.greater(num, 1.0), False))
                if over.any():
                    put("error", where, over, f"{int(over.sum())} probabilities above 1 "
                        f"({_sample(col, over)}): percentages?",
                        f"add [{name}.scale] probability = 0.01 to the mapping file")
                    return out
            out.value = num
        elif c.dtype == "bool":
            text = pc.utf8_lower(pc.utf8_trim_whitespace(col))
            vmap = {k.lower(): v for k, v in tmap.values.get(dst, {}).items()}
            t = pc.is_in(text, value_set=pa.array(list(_TRUE) + [k for k, v in vmap.items() if v]))
            f = pc.is_in(text, value_set=pa.array(list(_FALSE) + [k for k, v in vmap.items() if not v]))
            bad = present & ~(_np(t) | _np(f))
            if bad.any():
                put("error", where, bad, f"{int(bad.sum())} value(s) are not yes/no "
                    f"({_sample(col, bad)})",
                    f"use true/false, or map your values: [{name}.values.{dst}] \"<value>\" = true")
                return out
            out.value = pc.if_else(pa.array(present), t, pa.scalar(None, pa.bool_()))
        else:  # category
            text = pc.utf8_trim_whitespace(col)
            vmap = tmap.values.get(dst, {})
            if vmap:
                src_vals = pa.array(list(vmap), pa.string())
                dst_vals = pa.array(list(vmap.values()), pa.string())
                idx = pc.index_in(text, value_set=src_vals)
                text = pc.coalesce(pc.take(dst_vals, idx), text)
            lower = {v.lower(): v for v in c.allowed}
            lowered_text = pc.utf8_lower(text)
            idx = pc.index_in(lowered_text, value_set=pa.array(list(lower)))
            text = pc.coalesce(pc.take(pa.array(list(lower.values())), idx), text)
            unknown = rules.unmapped(text, c.allowed)
            if unknown.any() and c.open:   # a descriptive vocabulary: the user's own values
                text = pc.replace_substring_regex(text, _CONTROL, "")
            elif unknown.any():
                found = sorted(set(pc.filter(text, pa.array(unknown)).to_pylist()))
                if dst == "stage":
                    put("warning", where, unknown, f"{int(unknown.sum())} row(s) with unknown "
                        f"stage name(s) {found[:8]}: left out of the funnel",
                        f"map them: [{name}.values.stage] \"{found[0]}\" = "
                        f"\"<one of {', '.join(c.allowed)}>\"")
                    out.drop = unknown
                else:
                    put("error", where, unknown, f"{int(unknown.sum())} value(s) not in "
                        f"{list(c.allowed)}: {found[:8]}",
                        f"map them in the mapping file: [{name}.values.{dst}] "
                        f"\"{found[0]}\" = \"<one of {', '.join(c.allowed)}>\"")
                    return out
            out.value = text
        return out

    items = list(source_of.items())
    if n >= _PARALLEL_ROWS and len(items) > 1:   # Arrow's kernels release the GIL
        with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="column") as pool:
            results = list(pool.map(lambda item: column(*item), items))
    else:
        results = [column(*item) for item in items]
    for (dst, _), res in zip(items, results):
        report.issues.extend(res.issues)
        report.notes.extend(res.notes)
        if res.drop is not None:
            keep &= ~res.drop
        if res.value is not None:
            cols[dst] = res.value
    if len(report.errors) > errors_before:
        return None
    # content rules ----------------------------------------------------------------------
    if "customer_id" in cols:
        no_id = rules.missing_id(cols["customer_id"])
        if no_id.any():
            extra = ""
            if name == "orders" and "amount" in cols:
                extra = f" (total {_total(_np(pc.fill_null(cols['amount'], 0))[no_id], settings)})"
            add("warning", shown("customer_id"), no_id,
                f"{int(no_id.sum())} row(s) have no customer id{extra}: left out")
            keep &= ~no_id
    for c in schema.CORE[name]:
        if c == "customer_id" or c not in cols:
            continue
        empty = ~_present(cols[c]) & keep
        if empty.any():
            add("error", shown(c), empty, f"{int(empty.sum())} row(s) are empty: a value is "
                "needed in every row", "fill them in, or delete the rows in a copy of the export")
    if name == "orders" and "amount" in cols:
        neg = rules.refund(cols["amount"]) & keep
        if neg.any():
            total = _total(_np(cols["amount"])[neg], settings)
            add("warning", shown("amount"), neg, f"{int(neg.sum())} negative amount"
                f"{'s' if neg.sum() > 1 else ''} (refunds or credit notes), total {total}: "
                "left out, so revenue is gross sales")
            keep &= ~neg
    if name in _EVENT_DATES and _EVENT_DATES[name] in cols:
        d = cols[_EVENT_DATES[name]]
        future = rules.future(d, as_of) & keep
        if future.any():
            add("warning", shown(_EVENT_DATES[name]), future,
                f"{int(future.sum())} row(s) dated after the extraction date {as_of}: left out", "set [settings] as_of in the mapping file if the extraction "
                "date is later")
            keep &= ~future
    if len(report.errors) > errors_before:
        return None
    # exact duplicates, then duplicate keys (integer codes: no Python objects per row)
    # the id's codes, once: the lead of the exact-duplicate search (equal rows have equal
    # normalised ids) and the duplicate-key check below
    key_codes = _dictionary_codes(cols[spec.key]) if spec.key and spec.key in cols else None
    if cols:
        dup = rules.duplicate_row([raw.column(source_of[c]) for c in cols], key_codes) & keep
        if dup.any():
            add("warning", None, dup, f"{int(dup.sum())} row(s) repeat an earlier row exactly: "
                "kept once (export duplicates)")
            keep &= ~dup
    if key_codes is not None:
        codes = key_codes
        kept = codes[keep]
        counts = np.bincount(kept[kept >= 0], minlength=int(codes.max()) + 1)
        dup = keep & (codes >= 0) & (counts[np.maximum(codes, 0)] > 1)
        if dup.any() and spec.lines and "customer_id" in cols:
            # lines of one order share its id and its customer; one id under two customers
            # is two different orders with one number
            clash = rules.order_lines(codes, _dictionary_codes(cols["customer_id"]), dup)
            if clash.any():
                ids = sorted(set(pc.filter(cols[spec.key], pa.array(clash)).to_pylist()))[:_SHOW]
                add("error", shown(spec.key), clash, f"{int(clash.sum())} rows share an order id "
                    f"with a row of another customer: {ids}",
                    "lines of one order share its id and its customer; give these orders their "
                    "own ids")
                return None
            orders_n = len(np.unique(codes[keep & (codes >= 0)]))
            report.notes.append(f"{label}: {int(keep.sum()):,} rows hold {orders_n:,} orders: rows "
                                f"sharing their {source_of[spec.key]!r} and customer are the lines "
                                "of one order (amounts add up; purchases are counted by order, "
                                "not by line)")
            dup[:] = False
        if dup.any():
            ids = sorted(set(pc.filter(cols[spec.key], pa.array(dup)).to_pylist()))[:_SHOW]
            add("error", shown(spec.key), dup, f"{int(dup.sum())} rows share an id with another "
                f"row that differs: {ids}", "make every id unique (or remove the older rows)")
            return None
        no_key = ~_present(cols[spec.key]) & keep
        if no_key.any():
            add("error", shown(spec.key), no_key, f"{int(no_key.sum())} row(s) have no id",
                "fill in the ids, or leave the column out so rows are numbered")
            return None
    mask = pa.array(keep)
    out = pa.table({c: pc.filter(a, mask) for c, a in cols.items()})
    out = out.append_column(_LINE, pa.array(lines[keep]))
    if spec.key and spec.key not in cols:
        kept_lines = lines[keep]
        prefix = _KEY_PREFIX.get(name, "X")
        out = out.add_column(0, spec.key, pa.array([f"{prefix}{x}" for x in kept_lines], pa.string()))
        report.notes.append(f"{label}: no {spec.key} column; rows numbered by their row in the file "
                            f"({prefix}<row>)")
    report.tables[name] = {"file": label, "rows_read": n, "rows_kept": out.num_rows}
    return out


def _total(values: np.ndarray, settings: dict) -> str:
    """A total for a message, in the data's currency, with cents when there are any."""
    total = float(np.sum(values))
    return money.money(total, 0 if total == round(total) else 2,
                       code=settings.get("currency") or money.DEFAULT_CURRENCY)


def neutralise(col) -> pa.Array:
    """Text as written to a CSV output: a leading ``'`` where a spreadsheet would read a
    formula (text starting with ``= + - @``, a tab or a carriage return, the OWASP
    rule), so opening the file in Excel runs nothing.

    Examples
    --------
    >>> neutralise(pa.array(["=1+1", "Acme", "-2", None, "@SUM(A1)"])).to_pylist()
    ["'=1+1", 'Acme', "'-2", None, "'@SUM(A1)"]
    """
    # most columns hold no such text: a look at each first character (a quarter of the
    # regex's time) spares them the rewrite
    first = pc.utf8_slice_codeunits(col, 0, 1)
    if not pc.any(pc.is_in(first, value_set=_FORMULA_FIRST)).as_py():
        return col
    return pc.replace_substring_regex(col, _FORMULA_RE, r"'\1")
