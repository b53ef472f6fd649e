"""The mapping file is checked against its schema: every wrong key or value type is named."""

from __future__ import annotations

import pytest

from custlib import cli
from custlib.io import InputError, read_mapping

# mapping text: the errors read_mapping reports (before: tracebacks or an unexplained exit 2)
CASES = {
    'file_number': ('[orders]\nfile = 123\n',
        ['error: mapping.toml: [orders] file = 123: expected a file name in quotes, found a number']),
    'columns_text': ('[orders]\ncolumns = "x"\n',
        ["error: mapping.toml: [orders] columns = 'x': expected a section [orders.columns], found a text"]),
    'scale_number': ('[opportunities]\nscale = 5\n',
        ['error: mapping.toml: [opportunities] scale = 5: expected a section [opportunities.scale], found a number']),
    'date_format_number': ('[orders]\ndate_format = 5\n',
        ['error: mapping.toml: [orders] date_format = 5: expected a format in quotes, e.g. "%d/%m/%Y", found a number']),
    'sheet_float': ('[orders]\nsheet = 1.5\n',
        ['error: mapping.toml: [orders] sheet = 1.5: expected a sheet name or number, found a decimal number']),
    'header_row_text': ('[orders]\nheader_row = "3"\n',
        ["error: mapping.toml: [orders] header_row = '3': expected a row number, found a text"]),
    'values_text': ('[opportunities.values]\nstage = "won"\n',
        ["error: mapping.toml: [opportunities.values] stage = 'won': expected a section [opportunities.values.stage], found a text"]),
    'column_target_number': ('[orders.columns]\n"Kunde" = 1\n',
        ["error: mapping.toml: [orders.columns] 'Kunde' = 1: expected a column name in quotes"]),
    'settings_list': ('settings = [1, 2]\n',
        ['error: mapping.toml: [settings] = [1, 2]: expected a section, found a list']),
    'currency_bad': ('[settings]\ncurrency = "dollars"\n',
        ["error: mapping.toml: [settings] currency 'dollars': expected a three-letter code such as CNY, USD or EUR"]),
    'decimal_bad': ('[settings]\ndecimal = ";"\n',
        ['error: mapping.toml: [settings] decimal = \';\': expected "." or ","']),
    'thresholds_bad': ('[policy.pyramid]\nthresholds = [100, 500]\n',
        ['error: mapping.toml: [policy.pyramid] thresholds = [100, 500]: expected three decreasing positive amounts (vip, key, mid), e.g. [60000, 20000, 5000]']),
    'policy_unknown': ('[policy.funnel]\nx = 1\n',
        ["error: mapping.toml: unknown section [policy.funnel]; expected one of ['policy.pyramid', 'policy.grading']"]),
    'section_text': ('orders = "orders.csv"\n',
        ['error: mapping.toml: [orders] must be a section, found a text']),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_wrong_value_types_are_named(name, tmp_path, capsys):
    text, errors = CASES[name]
    f = tmp_path / "mapping.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_mapping(f)
    assert [str(i) for i in err.value.report.errors] == errors
    orders = tmp_path / "orders.csv"
    orders.write_text("customer_id,order_date,amount\nC1,2024-03-05,1\n", encoding="utf-8")
    code = cli.main(["validate", str(orders), "--mapping", str(f)])
    out = capsys.readouterr()
    assert code == 1 and errors[0] in out.out + out.err and "Traceback" not in out.out + out.err


def test_settings_and_policy_are_read(tmp_path):
    f = tmp_path / "m.toml"
    f.write_text('[settings]\ncurrency = "usd"\ndecimal = ","\nearliest_year = 1980\n'
                 '[policy.pyramid]\nthresholds = [60000, 20000, 5000]\n'
                 '[policy.grading]\nimportant_revenue = 25000\n'
                 '[orders.columns]\n"Betrag" = "amount"\n"amount" = "_ignore"\n', encoding="utf-8")
    m = read_mapping(f)
    assert m.settings == {"currency": "USD", "decimal": ",", "earliest_year": 1980}
    assert m.policy == {"pyramid": {"thresholds": (60000.0, 20000.0, 5000.0)},
                        "grading": {"important_revenue": 25000}}
