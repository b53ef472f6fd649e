"""The manager's Excel workbook: the master table, its roll-ups and the pyramid.

Written with openpyxl; one sheet per table, bilingual sheet names, written to a
temporary file and renamed so a failed run leaves no partial workbook.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from custlib.data import CRMData
from custlib.pyramid import customer_layers, layer_counts, tier_table, tiers_by_threshold
from custlib.workbook import (ROLLUP_NAMES, classification_summary, master_table,
                              open_opportunities, purchase_summary, upgrade_analysis)

__all__ = ["as_of_date", "workbook_tables", "write_workbook"]


def as_of_date(crm: CRMData) -> pd.Timestamp:
    """The snapshot date of a dataset: the latest order or activity date."""
    dates = [crm.orders["order_date"].max()]
    if crm.activities is not None and len(crm.activities):
        dates.append(crm.activities["activity_date"].max())
    return pd.Timestamp(max(dates)).normalize()


def workbook_tables(crm: CRMData, as_of=None) -> dict[str, pd.DataFrame]:
    """Every sheet of the manager's workbook, by sheet name (English · Chinese).

    Sheets need tables: the pyramid needs orders only; the master table and the
    classification summary need customers; the purchase and upgrade roll-ups need
    opportunities. Sheets whose tables are missing are left out.
    """
    as_of = pd.Timestamp(as_of) if as_of is not None else as_of_date(crm)
    year_start = as_of - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    recent = crm.orders[(crm.orders["order_date"] >= year_start) & (crm.orders["order_date"] <= as_of)]
    revenue = recent.groupby("customer_id")["amount"].sum()
    revenue = revenue[revenue > 0]
    sheets: dict[str, pd.DataFrame] = {}
    pyramid = tier_table(revenue, tiers_by_threshold(revenue))
    if crm.customers is not None:
        layers = layer_counts(customer_layers(crm.customers, crm.orders, crm.opportunities,
                                              start=year_start, end=as_of))
        pyramid = pd.concat([pyramid, layers.iloc[1:].rename("customers").to_frame()])
    sheets["pyramid · 客户金字塔"] = pyramid
    if crm.customers is not None:
        master = master_table(crm.customers, as_of=as_of, orders=crm.orders,
                              contacts=crm.contacts, opportunities=crm.opportunities,
                              activities=crm.activities, events=crm.events)
        sheets["master · 客户分析总表"] = master
        sheets[f"classification · {ROLLUP_NAMES['classification_summary']}"] = \
            classification_summary(master)
    if crm.opportunities is not None:
        op = open_opportunities(crm.opportunities, as_of)
        sheets[f"organisation · {ROLLUP_NAMES['organisation_purchases']}"] = \
            purchase_summary(op, "organisation")
        sheets[f"individual · {ROLLUP_NAMES['individual_purchases']}"] = \
            purchase_summary(op, "individual")
        sheets[f"upgrades · {ROLLUP_NAMES['upgrade_analysis']}"] = upgrade_analysis(op)
    return sheets


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].astype(object)
    return out


def write_workbook(crm: CRMData, path: str | os.PathLike, as_of=None) -> Path:
    """Write :func:`workbook_tables` to an ``.xlsx`` file at ``path`` and return the path."""
    path = Path(path)
    sheets = workbook_tables(crm, as_of)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            for name, df in sheets.items():
                _excel_safe(df).to_excel(xl, sheet_name=name[:31])
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
