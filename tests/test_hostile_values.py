"""Values that were read silently wrong: each case of tests/hostile/v*.csv and its verdict.

Before, ``custlib validate`` said OK to every one of these and the lessons used the wrong
numbers (the verdict of main before the value grammar is in the comment of each case);
now each is read right with a note, or refused with the rows and the fix.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custlib import cli
from custlib.io.normalise import neutralise

HOSTILE = Path(__file__).parent / "hostile"
AS_OF = "2025-12-31"

# file: (issues as validate prints them, amounts read, customer ids read)
CASES = {
    # before: 1, 1, 1 with a 'fen rounded' warning
    'v01_european_amounts.csv': ([], [1234.56, 1200.0, 1200.0], ['C1', 'C2', 'C3']),
    # before: 123456 and 125
    'v02_space_grouped_amounts.csv': ([], [1234.56, 12.5], ['C1', 'C2']),
    # before: 0, with only a "fen rounded" warning
    'v03_percent_amount.csv': (["error: v03_percent_amount.csv, column 'amount', row 2: 1 value(s) are percentages ('12%'), not amounts\n  fix: export the amounts themselves"], None, None),
    # before: 12345 and 7085
    'v04_mixed_decimal_marks.csv': (['error: v04_mixed_decimal_marks.csv, column \'amount\', row 2: mixes decimal marks: \'7,084.52\' use a point, \'1,2345\' a comma\n  fix: export the column with one decimal mark, or state it: [orders] decimal = "." or ","'], None, None),
    # before: rolled into March
    'v05_impossible_dates.csv': (["error: v05_impossible_dates.csv, column 'order_date', rows 2, 3, 4: 3 value(s) are not calendar dates ('2024-02-30', '2023-02-29', '2024/02/31')\n  fix: check these rows in the source: there is no such day (months run 1–12, days to the end of the month)"], None, None),
    # before: the year 3
    'v06_two_digit_year.csv': (["error: v06_two_digit_year.csv, column 'order_date', row 2: 1 value(s) have a two-digit year ('3/5/24')\n  fix: export dates with four-digit years (2024-03-05)"], None, None),
    # before: Excel serials of 1927, 1955, 1933
    'v07_implausible_serials.csv': (['error: v07_implausible_serials.csv, column \'order_date\', rows 2, 3, 4: 3 value(s) are not dates (\'10000\', \'20240\', \'12345\') — numbers like these are read as Excel serial dates only when the whole column is serials of plausible dates\n  fix: write dates as 2024-03-05, 2024/3/5, 2024年3月5日 or 14/11/2024, or give the format in the mapping: [orders] date_format = "%d %b %Y"'], None, None),
    # before: a traceback (int64 overflow)
    'v08_huge_amount.csv': (["error: v08_huge_amount.csv, column 'amount', row 2: 1 value(s) are implausibly large ('1e20'; the limit is 1,000,000,000,000)\n  fix: check these rows: an id or a date in the amount column, or a units mix-up"], None, None),
    # before: four different customers
    'v09_invisible_id_characters.csv': (["warning: v09_invisible_id_characters.csv, column 'customer_id', rows 3, 4, 5: 3 id(s) held invisible characters (zero-width spaces, byte-order marks), full-width forms or spaces ('C1\\u200b', '\\ufeffC1', 'Ｃ１'): normalised, so equal ids match"], [100.0, 100.0, 100.0, 100.0], ['C1', 'C1', 'C1', 'C1']),
    # before: the first column won, silently
    'v10_two_amount_columns.csv': (['error: v10_two_amount_columns.csv: columns [\'amount\', \'Amount\'] would all be read as \'amount\'\n  fix: keep one: map the others to "_ignore" in the mapping file, e.g. [orders.columns] "Amount" = "_ignore"'], None, None),
    # before: 'not dates' with a fix naming one format only
    'v11_ambiguous_day_month.csv': (['error: v11_ambiguous_day_month.csv, column \'order_date\', rows 2, 3: 2 date(s) could be day first or month first (\'05/03/2024\', \'06/03/2024\'), and no value in the column decides\n  fix: state the format: [orders] date_format = "%m/%d/%Y" (month first, as in US exports) or "%d/%m/%Y" (day first)'], None, None),
    # before: 1985 accepted; 2099 left out as a future row
    'v12_out_of_range_years.csv': (["error: v12_out_of_range_years.csv, column 'order_date', rows 2, 3: 2 value(s) lie outside the years 1990–2030 ('1985-03-05', '2099-03-06')\n  fix: check these rows (a default date such as 1900-01-01, or a typo); set [settings] earliest_year if your data truly starts earlier"], None, None),
    # before: all read as GB18030, the UTF-8 half garbled, one vague warning
    'v13_mixed_encodings.csv': (['error: v13_mixed_encodings.csv, rows 2, 3, 4: mixes encodings: 3 line(s) are UTF-8 (rows 2–4) and 4 are not (rows 5–8); the rows listed are the UTF-8 ones\n  fix: save the whole file in one encoding: open it in Excel or a text editor and save it as CSV UTF-8'], None, None),
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_case_has_a_verdict():
    assert sorted(p.name for p in HOSTILE.glob("v*.csv")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_grammar_verdicts(name, capsys):
    from custlib.io.ingest import _read_all

    path = HOSTILE / name
    before = _digest(path)
    issues, amounts, ids = CASES[name]
    report, tables, _ = _read_all(path, None, AS_OF)
    assert [str(i) for i in report.issues] == issues
    if amounts is not None:
        assert tables["orders"].column("amount").to_pylist() == amounts
        assert tables["orders"].column("customer_id").to_pylist() == ids
    # the command line says the same, with exit code 1 on errors and no traceback
    code = cli.main(["validate", str(path), "--as-of", AS_OF])
    out = capsys.readouterr()
    assert code == (0 if report.ok else 1) and "Traceback" not in out.out + out.err
    assert _digest(path) == before  # never modified


def test_a_decimal_mark_in_the_mapping_decides(tmp_path):
    m = tmp_path / "m.toml"
    m.write_text('[orders]\ndecimal = ","\n', encoding="utf-8")
    f = tmp_path / "o.csv"
    f.write_text("customer_id,order_date,amount\nC1,2024-03-05,1.200\nC2,2024-03-05,\"3,5\"\n",
                 encoding="utf-8")
    from custlib.io import load

    assert load(f, mapping=m, as_of=AS_OF).orders["amount"].tolist() == [1200.0, 3.5]


@given(st.text(min_size=1, max_size=30))
def test_no_text_written_to_a_csv_output_can_start_a_formula(text):
    safe = neutralise(pa.array([text])).to_pylist()[0]
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert safe == text or safe == "'" + text
    # and a spreadsheet reading the CSV cell back gets that text, quote and all
    buf = io.StringIO()
    csv.writer(buf).writerow([safe])
    assert next(csv.reader(io.StringIO(buf.getvalue())))[0] == safe
