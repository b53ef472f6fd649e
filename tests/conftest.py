"""Shared fixtures: the committed synthetic dataset, read once per test session, and one
``custlib run`` of the Salesforce export fixture shared by the tests of its report."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC = ROOT / "data" / "synthetic"
EXPORTS = ROOT / "tests" / "exports"
#: The umask of the shared run: neither the default 0o022 nor mkdtemp's 0o700, so that
#: the report's modes show they follow it (folders 0o750, files 0o640).
RUN_UMASK = 0o027


@pytest.fixture(scope="session")
def synthetic_dir() -> Path:
    return SYNTHETIC


@pytest.fixture(scope="session")
def crm():
    """The committed synthetic dataset through the validating loader."""
    from custlib.io import load

    return load(SYNTHETIC)


@pytest.fixture(scope="session")
def yearly_revenue(crm) -> pd.DataFrame:
    """Revenue per customer in year 1 (2024) and year 2 (2025); 0 where nothing was bought."""
    o = crm.orders
    year = o["order_date"].dt.year
    table = o[year.isin([2024, 2025])].pivot_table(
        index="customer_id", columns=year[year.isin([2024, 2025])], values="amount",
        aggfunc="sum", fill_value=0, observed=True)
    return table.rename(columns={2024: "y1", 2025: "y2"})



def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="session")
def folder_digest():
    """SHA-256 of every file's name and bytes under a folder: proof it was not changed."""
    return _digest


@pytest.fixture(scope="session")
def salesforce_run(tmp_path_factory) -> dict:
    """``custlib run`` on ``tests/exports/salesforce`` (dollars, 8 of the 10 lessons, with
    formulas and what-ifs), run once for tests/test_exports.py and
    tests/test_html_handouts.py under the umask :data:`RUN_UMASK`.

    Returns
    -------
    dict
        What :func:`custlib.course.run_course` returned, plus ``input_unchanged``
        (the export fixtures are byte-identical after the run) and ``umask``.
    """
    from custlib import money
    from custlib.course import run_course

    before = _digest(EXPORTS)
    currency = money.currency()
    previous = os.umask(RUN_UMASK)
    try:
        res = run_course(EXPORTS / "salesforce", tmp_path_factory.mktemp("salesforce") / "report",
                         mapping=ROOT / "examples" / "mappings" / "salesforce.toml",
                         as_of="2025-12-31", currency="USD", progress=False)
    finally:
        os.umask(previous)
        money.set_currency(currency)
    return {**res, "input_unchanged": _digest(EXPORTS) == before, "umask": RUN_UMASK}
