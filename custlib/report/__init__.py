"""Output: the manager's Excel workbook and the report's charts.

* :mod:`~custlib.report.tables` — what the workbook says: one DataFrame per sheet, from a
  :class:`~custlib.io.CRMData` (the master table and the monthly roll-ups of
  :mod:`custlib.rollups`, the pyramid, Pareto, lifecycle, funnel, grades, early warning);
* :mod:`~custlib.report.excel` — how it looks: the cover, bilingual headers, number
  formats, conditional formats, print set-up; text is always written as text;
* :mod:`~custlib.report.charts` — the pyramid and Pareto PNGs.
"""

from custlib.io.normalise import FORMULA_START
from custlib.report.charts import pyramid_chart, write_charts
from custlib.report.excel import (A3_PAGE_WIDTH, COVER_SHEET, EXCEL_INLINE_ROWS, HEADER_ROWS,
                                  SHEET_ABOUT, cover_table, csv_safe, excel_safe_text,
                                  write_workbook)
from custlib.report.tables import (EARLY_WARNING_SHEET, MONEY_COLUMNS, PERCENT_COLUMNS,
                                   PYRAMID_SHEET, WORKBOOK_COLUMNS, as_of_date, early_warning,
                                   workbook_tables)

__all__ = ["as_of_date", "workbook_tables", "cover_table", "write_workbook", "write_charts",
           "pyramid_chart", "MONEY_COLUMNS", "PERCENT_COLUMNS", "PYRAMID_SHEET", "COVER_SHEET",
           "SHEET_ABOUT", "HEADER_ROWS", "EARLY_WARNING_SHEET", "early_warning", "csv_safe",
           "excel_safe_text", "EXCEL_INLINE_ROWS", "A3_PAGE_WIDTH", "FORMULA_START",
           "WORKBOOK_COLUMNS"]
