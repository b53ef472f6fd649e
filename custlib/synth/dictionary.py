"""Render the data dictionary (``README.md`` of a dataset folder) from the schema.

The dictionary is generated, never hand-edited, so it always says what the
loader checks and the generator writes.

Examples
--------
>>> text = render_dictionary({"orders.csv": {"rows": 3}})
>>> "| `amount` | money | CNY |" in text
True
"""

from __future__ import annotations

from custlib import schema

_TYPE_NOTE = {
    "string": "text",
    "category": "one of the allowed values",
    "int": "whole number",
    "float": "decimal number",
    "money": "amount in the data's currency, cents kept",
    "date": "date `YYYY-MM-DD`",
    "bool": "`true` / `false`",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_dictionary(files: dict | None = None, header: str | None = None) -> str:
    """The Markdown data dictionary for the canonical tables.

    Parameters
    ----------
    files : dict, optional
        ``{"orders.csv": {"rows": n, ...}, ...}`` as in ``MANIFEST.json``; adds row counts.
    header : str, optional
        Markdown placed before the tables (what the dataset is and how it was made).
    """
    files = files or {}
    out = [header.rstrip() + "\n" if header else "# Data dictionary\n"]
    out.append("## Tables\n")
    out.append("| file | rows | key | what one row is | workbook sheet |")
    out.append("|---|---:|---|---|---|")
    for name in schema.TABLE_ORDER:
        t = schema.TABLES[name]
        rows = files.get(t.filename, {}).get("rows")
        out.append(f"| [`{t.filename}`](#{name}) | {'' if rows is None else f'{rows:,}'} | "
                   f"`{t.key}` | {_cell(t.description.split('.')[0])}. | {t.zh} |")
    out.append("")
    out.append("Conventions: UTF-8 CSV with a header row; dates `YYYY-MM-DD`; booleans "
               "`true`/`false`; money in whole yuan (CNY); an empty field means *unknown or "
               "not applicable* — blank when unknown, never invented (digest §11).\n")
    for name in schema.TABLE_ORDER:
        t = schema.TABLES[name]
        out.append(f"## {name}\n")
        out.append(f"`{t.filename}` — {t.description} Workbook sheet: {t.zh}.\n")
        if t.key:
            out.append(f"Key: `{t.key}` (never empty; unique, except that the lines of one "
                       "order share it)." if t.lines else f"Key: `{t.key}` (unique, never empty).")
        for col, target in t.references.items():
            key = schema.TABLES[target].key
            out.append(f"`{col}` refers to `{target}.{key}`.")
        out.append("")
        out.append("| column | type | unit | allowed values | may be empty | meaning | workbook field |")
        out.append("|---|---|---|---|---|---|---|")
        for c in t.columns:
            allowed = ", ".join(f"`{v}`" for v in c.allowed) if c.allowed else ""
            if c.open:
                allowed += " (or your own values)"
            if c.minimum is not None and not allowed:
                allowed = f"≥ {c.minimum:g}"
            out.append(f"| `{c.name}` | {c.dtype} | {c.unit} | {allowed} | "
                       f"{'yes' if c.nullable else 'no'} | {_cell(c.description)} | {c.zh} |")
        out.append("")
    out.append("Types: " + "; ".join(f"**{k}** — {v}" for k, v in _TYPE_NOTE.items()) + ".\n")
    return "\n".join(out)
