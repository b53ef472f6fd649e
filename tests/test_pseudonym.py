"""custlib.io.pseudonym: every personal field replaced, ids kept joinable, keys that protect.

The bundled data is read through the importer (``custlib.io._read_all``),
pseudonymised, written, and the written folder searched for the original values.
"""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlib.io import pseudonym as ps
from custlib.io import DEFAULT_DATA_DIR, load
from custlib.io.ingest import _read_all
from custlib.io import import_data
from custlib.io.pseudonym import pseudonym as ingest_pseudonym

AS_OF = "2025-12-31"
KEY = "a fixed key, only for these tests"

FORMS = {
    "customer_id": r"C-[0-9A-F]{16}", "contact_id": r"P-[0-9A-F]{16}", "rep_id": r"R-[0-9A-F]{16}",
    "order_id": r"O-[0-9A-F]{16}", "opportunity_id": r"K-[0-9A-F]{16}",
    "activity_id": r"A-[0-9A-F]{16}", "invitation_id": r"I-[0-9A-F]{16}",
    "event_id": r"E-[0-9A-F]{16}",
    "customer_name": r"Customer [0-9A-F]{16}", "contact_name": r"Contact [0-9A-F]{16}",
    "rep_name": r"Rep [0-9A-F]{16}", "mobile": r"1\d{10}", "email": r"[0-9a-f]{16}@example\.invalid",
    "qq": r"[1-9]\d{9}",
}
REPLACED = ("customer_id", "contact_id", "rep_id", "customer_name", "contact_name", "rep_name",
            "mobile", "email", "qq")


@pytest.fixture(autouse=True)
def _no_key_in_environment(monkeypatch):
    monkeypatch.delenv(ps.KEY_ENV, raising=False)


@pytest.fixture(scope="module")
def bundled():
    report, tables, _ = _read_all(DEFAULT_DATA_DIR, None, AS_OF)
    assert report.ok, report.text()
    return tables


@pytest.fixture(scope="module")
def originals(bundled):
    """Every original value of each personal column kind, over all tables."""
    values: dict[str, set] = {}
    for t in bundled.values():
        for c in t.column_names:
            if c in REPLACED or c == "birthday":
                values.setdefault(c, set()).update(v for v in t.column(c).to_pylist() if v is not None)
    return values


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("pseudonymised") / "out"
    report = import_data(DEFAULT_DATA_DIR, out, as_of=AS_OF, pseudonymise=True, key=KEY)
    return out, report


def _cells(folder: Path) -> set[str]:
    """Every cell of every table written (CSV and Arrow files), as text."""
    import pyarrow.parquet as pq

    cells: set[str] = set()
    for f in folder.rglob("*.csv"):
        with f.open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                cells.update(row)
    for f in folder.rglob("*.parquet"):
        for col in pq.read_table(f).columns:
            cells.update(str(v) for v in pc.unique(col).to_pylist() if v is not None)
    return cells


# --- the bundled data, table by table ----------------------------------------------------

def test_every_personal_field_of_the_bundled_data_is_replaced(bundled, originals):
    out, notes = ps.pseudonymise_tables(bundled, key=KEY)
    assert set(originals) >= {"customer_id", "contact_id", "rep_id", "customer_name",
                              "contact_name", "rep_name", "mobile", "email", "birthday"}
    seen = set()
    for name, t in bundled.items():
        for c in t.column_names:
            before, after = t.column(c), out[name].column(c)
            if c == "birthday":
                assert before.null_count < len(before) and after.null_count == len(after)
                assert after.type == before.type
            elif c in REPLACED:
                seen.add(c)
                assert after.null_count == before.null_count, (name, c)
                got = [v for v in after.to_pylist() if v is not None]
                assert all(re.fullmatch(FORMS[c], v) for v in got), (name, c, got[:3])
                assert not set(got) & originals[c], (name, c)
                # one pseudonym per value: as many distinct values as before
                assert pc.count_distinct(after).as_py() == pc.count_distinct(before).as_py()
            else:
                assert after.equals(before), (name, c)
    assert seen >= set(originals) - {"birthday", "qq"}
    text = " ".join(notes)
    assert "birthday emptied" in text and "customer_id" in text and "mobile" in text
    assert "given" in text and ps.KEY_ENV in text


def test_no_original_value_survives_in_the_written_folder(bundled, originals, written):
    out, _ = written
    cells = _cells(out)
    for kind, values in originals.items():
        if kind == "birthday":
            continue
        assert not values & cells, (kind, sorted(values & cells)[:5])
    # a grep of the raw text for a sample of originals, the validation report included
    text = "\n".join(p.read_text(encoding="utf-8") for p in out.rglob("*")
                     if p.suffix in (".csv", ".txt", ".json"))
    other_dates = {str(v) for name, t in bundled.items() for c in t.column_names
                   if c != "birthday" and pa.types.is_date(t.schema.field(c).type)
                   for v in pc.unique(t.column(c)).to_pylist()}
    birthdays = sorted(str(b) for b in originals["birthday"] if str(b) not in other_dates)
    assert len(birthdays) > 100
    for kind in ("customer_name", "contact_name", "rep_name", "mobile", "email"):
        for v in sorted(originals[kind])[:200]:
            assert v not in text, (kind, v)
    for b in birthdays[:500]:
        assert b not in text
    fields = set(re.split(r'[,"\r\n]', text))
    for cid in sorted(originals["customer_id"])[:500]:
        assert cid not in fields, cid
    crm = load(out)
    assert crm.contacts["birthday"].isna().all()


def test_references_still_join(bundled, written):
    out, _ = written
    crm = load(out)
    assert set(crm.orders["customer_id"]) <= set(crm.customers["customer_id"])
    assert set(crm.contacts["customer_id"]) <= set(crm.customers["customer_id"])
    assert set(crm.activities["contact_id"]) <= set(crm.contacts["contact_id"])
    assert set(crm.activities["rep_id"]) <= set(crm.reps["rep_id"])
    assert set(crm.opportunities["rep_id"]) <= set(crm.reps["rep_id"])
    assert set(crm.customers["rep_id"]) <= set(crm.reps["rep_id"])
    # row by row: the same original id got the same pseudonym in every table
    mapping = dict(zip(bundled["customers"].column("customer_id").to_pylist(),
                       crm.customers["customer_id"]))
    orders = bundled["orders"].column("customer_id").to_pylist()
    assert [mapping[c] for c in orders] == list(crm.orders["customer_id"])
    # revenue per customer is unchanged by the renaming
    before = load(DEFAULT_DATA_DIR).orders.groupby("customer_id", observed=True)["amount"].sum()
    after = crm.orders.groupby("customer_id", observed=True)["amount"].sum()
    assert sorted(before) == sorted(after)


def test_the_workbook_is_written_from_pseudonymised_data(written, tmp_path):
    from custlib.report import write_workbook

    out, _ = written
    crm = load(out)
    path = write_workbook(crm, tmp_path / "book.xlsx", as_of=AS_OF)
    book = openpyxl.load_workbook(path, read_only=True)
    values = {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
              for v in row if v is not None}
    assert any(re.fullmatch(FORMS["customer_id"], v) for v in values)
    assert not any(v.startswith("=") for v in values)


def test_the_validation_report_names_files_not_folders(tmp_path):
    folder = tmp_path / "Zhang San 张三的客户"
    folder.mkdir()
    shutil.copy(DEFAULT_DATA_DIR / "orders.csv", folder / "orders.csv")
    shutil.copy(DEFAULT_DATA_DIR / "customers.csv", folder / "customers.csv")
    (folder / "map.toml").write_text('[contacts]\nfile = "people.csv"\n', encoding="utf-8")
    report = import_data(folder, tmp_path / "out", mapping=folder / "map.toml", as_of=AS_OF,
                         pseudonymise=True, key=KEY)
    text = (tmp_path / "out" / "validation.txt").read_text(encoding="utf-8")
    assert "orders.csv" in text and "map.toml" in text
    assert "Zhang San" not in text and str(tmp_path) not in text
    assert not any("Zhang San" in n or str(tmp_path) in n for n in report.notes)
    assert report.files["orders"] == folder / "orders.csv"   # the report object keeps them


def test_sample_values_of_personal_fields_are_withheld_from_the_report(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "orders.csv").write_text(
        "customer_id,customer_name,order_date,amount\n"
        "C1,Secret\x0bName Ltd,2024-03-05,100\nC2,Other Co,2024-03-06,200\n", encoding="utf-8")
    import_data(folder, tmp_path / "plain", as_of=AS_OF)
    import_data(folder, tmp_path / "hidden", as_of=AS_OF, pseudonymise=True, key=KEY)
    plain = (tmp_path / "plain" / "validation.txt").read_text(encoding="utf-8")
    hidden = (tmp_path / "hidden" / "validation.txt").read_text(encoding="utf-8")
    assert "Secret" in plain and "control characters" in hidden
    assert "Secret" not in hidden and "C1" not in _cells(tmp_path / "hidden")


# --- keys --------------------------------------------------------------------------------

def _small():
    return {"customers": pa.table({"customer_id": ["苏州宏远", "C2"], "customer_name": ["苏州宏远建设", "B"]}),
            "orders": pa.table({"customer_id": ["苏州宏远", "C2", "苏州宏远"], "amount": [1, 2, 3]})}


def test_without_a_key_each_run_differs_and_says_so(monkeypatch):
    a, notes = ps.pseudonymise_tables(_small())
    b, _ = ps.pseudonymise_tables(_small())
    assert a["customers"].column("customer_id") != b["customers"].column("customer_id")
    assert a["customers"].column("customer_name") != b["customers"].column("customer_name")
    text = " ".join(notes)
    assert "random for this run" in text
    assert f"stable across runs only with a key you set in {ps.KEY_ENV}" in text
    assert ps.resolve_key(None)[1] == "random for this run"


def test_with_the_same_key_runs_are_identical(monkeypatch):
    a, _ = ps.pseudonymise_tables(_small(), key=KEY)
    b, _ = ps.pseudonymise_tables(_small(), key=KEY)
    c, _ = ps.pseudonymise_tables(_small(), key=KEY + "!")
    assert a["customers"].equals(b["customers"]) and a["orders"].equals(b["orders"])
    assert not a["customers"].equals(c["customers"])
    monkeypatch.setenv(ps.KEY_ENV, KEY)
    d, notes = ps.pseudonymise_tables(_small())
    assert d["customers"].equals(a["customers"])
    assert ps.resolve_key(None) == (ps.resolve_key(KEY)[0], "environment")
    assert "from $CUSTLIB_PSEUDONYM_KEY" in " ".join(notes)
    assert ps.pseudonym("苏州宏远", "customer_id", KEY) == a["customers"].column("customer_id")[0].as_py()
    assert ingest_pseudonym is ps.pseudonym


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_key_is_an_error(monkeypatch, tmp_path, empty):
    with pytest.raises(ValueError, match="empty"):
        ps.resolve_key(empty)
    with pytest.raises(ValueError, match="empty"):
        ps.pseudonymise_tables(_small(), key=empty)
    with pytest.raises(ValueError, match="empty"):
        ps.pseudonym("x", "customer_name", key=empty)
    monkeypatch.setenv(ps.KEY_ENV, empty)
    with pytest.raises(ValueError, match=f"{ps.KEY_ENV} is empty"):
        ps.resolve_key(None)
    with pytest.raises(ValueError, match="empty"):
        import_data(DEFAULT_DATA_DIR / "orders.csv", tmp_path / "out", as_of=AS_OF,
                    pseudonymise=True)
    assert not (tmp_path / "out").exists()


def test_pseudonym_without_any_key_is_an_error():
    with pytest.raises(ValueError, match="needs a key"):
        ps.pseudonym("x", "customer_name")


def test_a_short_key_is_noted():
    _, notes = ps.pseudonymise_tables(_small(), key="k")
    assert any("only 1 byte(s) long" in n for n in notes)


def test_every_byte_of_a_long_key_counts():
    a, b = "x" * 64 + "A", "x" * 64 + "B"
    assert ps.resolve_key(a)[0] != ps.resolve_key(b)[0]
    assert len(ps.resolve_key("y" * 1000)[0]) == 64
    for kind in ("customer_name", "mobile", "email", "customer_id"):
        assert ps.pseudonym("13800138000", kind, a) != ps.pseudonym("13800138000", kind, b)


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown kind"):
        ps.pseudonym("x", "salary", KEY)


# --- collisions --------------------------------------------------------------------------

N = 200_000


def test_200000_distinct_mobiles_and_names_give_no_collision():
    mobiles = [f"1{i * 7919 % 10**10:010d}" for i in range(N)]
    names = [f"联系人 {i}" for i in range(N)]
    t = {"contacts": pa.table({"contact_id": [f"P{i}" for i in range(N)], "contact_name": names,
                               "mobile": mobiles, "email": [f"u{i}@x.cn" for i in range(N)]})}
    out, _ = ps.pseudonymise_tables(t, key=KEY)
    c = out["contacts"]
    for col, before in (("mobile", mobiles), ("contact_name", names), ("contact_id", None)):
        got = c.column(col).to_pylist()
        assert len(set(got)) == N, col
        if before is not None:
            assert not set(got) & set(before)
            assert all(re.fullmatch(FORMS[col], v) for v in got[:1000])
    # names and ids carry 64 bits: they do not clash even without the pseudonymise_tables check
    assert len({ps.pseudonym(v, "contact_name", KEY) for v in names}) == N


def _weak(bits):
    def digest(value, kind, secret, attempt=0):
        h = hashlib.blake2b(f"{kind}\0{attempt}\0{value}".encode(), key=secret, digest_size=8)
        return int.from_bytes(h.digest(), "big") % (1 << bits)
    return digest


def test_the_collision_check_fires_when_the_hash_is_weakened(monkeypatch):
    monkeypatch.setattr(ps, "_digest", _weak(12))
    ids = {"customers": pa.table({"customer_id": [f"C{i}" for i in range(2000)]})}
    with pytest.raises(ValueError, match=r"customers\.customer_id collide"):
        ps.pseudonymise_tables(ids, key=KEY)
    names = {"reps": pa.table({"rep_id": ["R1", "R2"], "rep_name": ["Li", "Wang"]})}
    monkeypatch.setattr(ps, "_digest", lambda value, kind, secret, attempt=0: 7)
    with pytest.raises(ValueError, match="column reps.rep_id collide"):
        ps.pseudonymise_tables(names, key=KEY)
    # mobiles: a clash takes the next pseudonym of the value's sequence, unless that fails too
    phones = {"contacts": pa.table({"mobile": ["13800000000", "13900000000"]})}
    with pytest.raises(ValueError, match="contacts.mobile collide"):
        ps.pseudonymise_tables(phones, key=KEY)


def test_short_numeric_clashes_are_moved_and_noted(monkeypatch):
    monkeypatch.setattr(ps, "_digest", _weak(16))
    phones = [f"139{i:08d}" for i in range(3000)]
    out, notes = ps.pseudonymise_tables({"contacts": pa.table({"mobile": phones})}, key=KEY)
    got = out["contacts"].column("mobile").to_pylist()
    assert len(set(got)) == len(phones) and not set(got) & set(phones)
    assert any("mobile value(s) clashed" in n for n in notes)
    # the same data and key: the same resolution
    again, _ = ps.pseudonymise_tables({"contacts": pa.table({"mobile": phones[::-1]})}, key=KEY)
    assert again["contacts"].column("mobile").to_pylist() == got[::-1]


def test_nulls_and_non_string_ids_are_handled():
    t = {"orders": pa.table({"customer_id": pa.array([1, None, 1], pa.int64()),
                             "amount": [1, 2, 3]}),
         "customers": pa.table({"customer_id": ["1"], "birthday": pa.array([None], pa.date32())}),
         "contacts": pa.table({"qq": pa.array([None, None], pa.string())})}
    out, _ = ps.pseudonymise_tables(t, key=KEY)
    o = out["orders"].column("customer_id").to_pylist()
    assert o[0] == o[2] == out["customers"].column("customer_id")[0].as_py() and o[1] is None
    assert out["contacts"].column("qq").null_count == 2


# --- properties --------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=40), kind=st.sampled_from(ps.KINDS),
       key=st.text(min_size=1, max_size=80).filter(str.strip))
def test_pseudonym_is_deterministic_per_key_and_never_the_input(value, kind, key):
    p = ps.pseudonym(value, kind, key)
    assert p == ps.pseudonym(value, kind, key)
    assert p != value
    assert re.fullmatch(FORMS[kind], p)


@settings(max_examples=200, deadline=None)
@given(value=st.from_regex(r"1\d{10}", fullmatch=True), key=st.text(min_size=1).filter(str.strip))
def test_a_mobile_pseudonym_is_never_the_number(value, key):
    p = ps.pseudonym(value, "mobile", key)
    assert p != value and re.fullmatch(FORMS["mobile"], p)


def test_a_pseudonymised_run_names_no_input_folder_and_no_person(tmp_path):
    """The whole output of a run (one lesson, to keep it short): no folder of the input,
    no original name, in any file written."""
    from custlib.course import NOTEBOOK_DIR, run_course

    data = tmp_path / "Zhang San private export"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    shutil.copy(NOTEBOOK_DIR / "00_welcome.ipynb", lessons)
    names = load(DEFAULT_DATA_DIR).customers["customer_name"].head(20).tolist()
    res = run_course(data, tmp_path / "out", notebook_dir=lessons, as_of=AS_OF,
                     pseudonymise=True, key=KEY, progress=False)
    assert res["ran"] == ["00_welcome.ipynb"]
    texts = [p.read_bytes().decode("utf-8", "replace") for p in (tmp_path / "out").rglob("*")
             if p.is_file() and p.suffix in (".html", ".ipynb", ".txt", ".json", ".csv")]
    assert len(texts) > 5
    everything = "\n".join(texts)
    assert "Zhang San" not in everything and ".building" not in everything
    assert not [n for n in names if n in everything]
