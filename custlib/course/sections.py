"""Sections of a lesson that run only when the data holds what they need.

A lesson needs the orders; most of its sections need more: the orders' ``cost``, the
customers' ``province``, the ``activities`` table. A section's cells start with the
cell magic ``%%needs``, naming what the section reads, a table or a table and column::

    %%needs orders.cost customers.province
    profit = (last12["amount"] - last12["cost"]).groupby(last12["customer_id"]).sum()
    profit.head()

When the loaded data ``crm`` (the set-up cell's) has every table named, with at least
one value in every column named, the cell runs as if the line were not there: its
last expression is shown, and an error is an error. Otherwise the cell shows one line
and nothing else::

    This section needs `orders` with `cost`; see the input contract (README).

and the skip is recorded: in the output's metadata (``custlib.section``), where
``custlib run`` collects it for the index page, and in :data:`SKIPPED` for a look in
JupyterLab (:func:`skipped`). ``%%needs --exercise ...`` says "This exercise needs".
Importing this module in a kernel registers the magic (``%load_ext custlib.course.sections``
does the same); :func:`needs` is the same test as a function, for code outside a
lesson.

Examples
--------
>>> import pandas as pd
>>> from custlib.io import CRMData
>>> crm = CRMData(path=None, orders=pd.DataFrame({"customer_id": ["A"], "amount": [1.0],
...                                                "cost": [None]}))
>>> missing(crm, ["orders.amount", "orders.cost", "activities"])
[('orders', 'cost'), ('activities', None)]
>>> reason(missing(crm, ["orders.cost", "activities.activity_type"]))
'needs `orders` with `cost`, and `activities` with `activity_type`'
>>> needs(crm, "orders.amount")
True
>>> needs(crm, "orders.cost", "orders.product_line")
This section needs `orders` with `cost` and `product_line`; see the input contract (README).
False
>>> SKIPPED[-1]["reason"]
'needs `orders` with `cost` and `product_line`'
"""

from __future__ import annotations

import ast

import pandas as pd

__all__ = ["missing", "reason", "needs", "skipped", "unknown_as", "SKIPPED", "METADATA_KEY",
           "load_ipython_extension"]

#: Key of the output metadata that records a skipped section.
METADATA_KEY = "custlib.section"
#: The skips of this kernel, in order: ``{"needs": [...], "reason": ..., "kind": ...}``.
SKIPPED: list[dict] = []
CONTRACT = "see the input contract (README)"


def missing(crm, requires) -> list[tuple[str, str | None]]:
    """What of ``requires`` the data lacks: ``(table, column)`` pairs, column None for a
    missing table.

    A table counts as present when ``crm`` has it (an empty table is present: a
    section then shows its empty result); a column when its table has it with at least
    one value.

    Parameters
    ----------
    crm : CRMData
        The loaded data.
    requires : iterable of str
        ``"table"`` or ``"table.column"`` entries, or ``"months:24"``: orders in both
        halves of the 24 months up to the analysis date (two years to compare).

    Returns
    -------
    list of (str, str or None)
        In the order given, once each.
    """
    out: list[tuple[str, str | None]] = []
    for req in requires:
        if str(req).startswith("months:"):  # orders covering that many months up to as_of
            months = int(str(req).split(":", 1)[1])
            if not _covers(crm, months) and ("months", str(months)) not in out:
                out.append(("months", str(months)))
            continue
        table, _, column = str(req).partition(".")
        lack = (table, column or None)
        if not crm.has(table, column or None) and lack not in out:
            out.append(lack)
    return out


def _covers(crm, months: int) -> bool:
    """The orders span ``months`` months up to the analysis date: there are orders in its
    first half and in its second (two 12-month periods to compare for ``months:24``)."""
    from custlib import period

    orders = getattr(crm, "orders", None)
    if orders is None or orders["order_date"].dropna().empty:
        return False
    end = period.as_of(crm)
    half = months // 2
    early = period.in_window(orders, *period.window(end, half, back=1))
    late = period.in_window(orders, *period.window(end, half))
    return bool(len(early) and len(late))


def reason(lacking: list[tuple[str, str | None]]) -> str:
    """``needs `orders` with `cost` and `product_line`, and `activities```: the lack in
    words, tables in the order met."""
    by_table: dict[str, list[str]] = {}
    for table, column in lacking:
        cols = by_table.setdefault(table, [])
        if column and column not in cols:
            cols.append(column)
    parts = []
    for table, cols in by_table.items():
        if table == "months":
            parts.append(f"orders in both halves of the {cols[0]} months up to the analysis date")
            continue
        names = [f"`{c}`" for c in cols]
        cols_text = " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]
        parts.append(f"`{table}` with {cols_text}" if cols else f"`{table}`")
    return "needs " + ", and ".join(parts)


def _show_skip(text: str, record: dict) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with the kernel
        print(text)
        return
    if get_ipython() is None:
        print(text)
        return
    display({"text/plain": text, "text/markdown": f"*{text}*"}, raw=True,
            metadata={METADATA_KEY: record})


def needs(crm, *requires: str, kind: str = "section") -> bool:
    """True when ``crm`` holds every table and column of ``requires``; else show the one
    line saying what is missing, record the skip and return False.

    Parameters
    ----------
    crm : CRMData
        The loaded data.
    *requires : str
        ``"table"`` or ``"table.column"``.
    kind : str, default "section"
        The word in the line: "section" or "exercise".
    """
    lacking = missing(crm, requires)
    if not lacking:
        return True
    why = reason(lacking)
    record = {"skipped": why, "needs": list(requires), "kind": kind}
    SKIPPED.append({"needs": list(requires), "reason": why, "kind": kind})
    _show_skip(f"This {kind} {why}; {CONTRACT}.", record)
    return False


def skipped() -> pd.DataFrame:
    """The sections and exercises this kernel skipped, and why."""
    return pd.DataFrame(SKIPPED, columns=["kind", "reason", "needs"])


def unknown_as(values: pd.Series, label: str = "unknown") -> pd.Series:
    """``values`` with blanks shown as ``label``, so a group-by counts them instead of
    dropping them (a customer without a province is counted under "unknown").

    Unchanged when nothing is blank; a categorical keeps its categories, with
    ``label`` added last.

    Examples
    --------
    >>> s = pd.Series(["north", None, "east"], dtype="category")
    >>> unknown_as(s).tolist(), list(unknown_as(s).cat.categories)
    (['north', 'unknown', 'east'], ['east', 'north', 'unknown'])
    """
    if not values.isna().any():
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):
        if label not in values.cat.categories:
            values = values.cat.add_categories([label])
        return values.fillna(label)
    return values.astype(object).where(values.notna(), label)


# --- the cell magic ---------------------------------------------------------------

def _parse_line(line: str) -> tuple[list[str], str]:
    words = line.split()
    kind = "section"
    if "--exercise" in words:
        words = [w for w in words if w != "--exercise"]
        kind = "exercise"
    bad = [w for w in words if w.startswith("-")]
    if bad or not words:
        raise ValueError(f"%%needs {line!r}: expected what the cell needs, as table or "
                         "table.column entries (orders.cost customers.province), and "
                         "optionally --exercise")
    return words, kind


def _run_cell_body(shell, cell: str):
    """Run ``cell`` in the user's namespace like a cell of its own: the value of a last
    expression is returned (and so shown), unless the cell ends with ``;``."""
    source = shell.transform_cell(cell)
    tree = ast.parse(source)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    filename = shell.compile.cache(source)
    ns = shell.user_ns
    exec(compile(tree, filename, "exec"), ns)
    if last is None:
        return None
    value = eval(compile(last, filename, "eval"), ns)
    code_lines = [ln.split("#")[0].rstrip() for ln in cell.rstrip().splitlines()]
    code_lines = [ln for ln in code_lines if ln]
    return None if code_lines and code_lines[-1].endswith(";") else value


def _needs_magic(line: str, cell: str):
    from IPython import get_ipython

    shell = get_ipython()
    requires, kind = _parse_line(line)
    crm = shell.user_ns.get("crm")
    if crm is None:
        raise NameError("%%needs checks the loaded data `crm`: run the set-up cell first")
    if not needs(crm, *requires, kind=kind):
        return None
    return _run_cell_body(shell, cell)


def load_ipython_extension(shell) -> None:
    """Register ``%%needs`` (``%load_ext custlib.course.sections``; importing does it too)."""
    shell.register_magic_function(_needs_magic, magic_kind="cell", magic_name="needs")


def _register() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is not None and "needs" not in shell.magics_manager.magics.get("cell", {}):
        load_ipython_extension(shell)


_register()
