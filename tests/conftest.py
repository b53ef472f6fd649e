"""Shared fixtures: the committed synthetic dataset, read once per test session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC = ROOT / "data" / "synthetic"


@pytest.fixture(scope="session")
def synthetic_dir() -> Path:
    return SYNTHETIC


@pytest.fixture(scope="session")
def crm():
    """The committed synthetic dataset through the validating loader."""
    from custlib.data import load

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

