"""Deterministic synthetic CRM data for a fictional vendor of cost-estimation software.

The company sells estimating, quantity take-off and rebar software and training to
owners, contractors and cost consultants in China (the setting of the seed
customer-analysis workbook, digest §11). Year 1 and year 2 of the course's cases
are the calendar years 2024 and 2025; the data snapshot is 31 December 2025;
order history reaches back to 2019. Nothing is dated after the snapshot except the
*expected* close dates of open opportunities, which are forecasts.

How the numbers are made (every constant is in :class:`Calibration`):

* **Population** (digest §7 case): per 2,126 customers who bought in year 1 there
  are 154 inactive customers, 250 prospects and 1,000 suspects.
* **Year-1 revenue**: the top 1 % / next 4 % / next 15 % / remaining 80 % of
  customers draw their revenue inside the case's tier ranges (> ¥58,900,
  ¥19,000–58,900, ¥4,820–19,000, below ¥4,820) from a skewed distribution whose
  mean is the case's tier average (¥114,000, ¥31,600, ¥9,100, ¥1,160), with
  stratified draws so a small population still lands near the case totals.
* **Year 2**: customers given a structured meeting (客户会谈) and more visits grow
  by 6 % as a group, the others shrink by 8 % (digest §7 meeting case); a few
  per cent of small customers who had a meeting jump into the mid tier.
* **Pipeline** (digest §12): won opportunities are the larger orders and every
  new customer's first order, traced back through the stages; lost ones are added
  so that stage-to-stage conversion gives about one win per five first
  appointments; the open pipeline at the snapshot has a healthy funnel shape for
  most reps, an empty front for some and a middle pile-up for others.
* **Drop-out** (digest §5 stage D, 客户衰退): during year 2 some customers stop
  buying for good, early in the year, at a yearly hazard that differs by tier (highest
  for the big customers, who buy often enough for their silence to show) and is about
  three times higher for customers not given the meeting and its visits (the rates
  are this dataset's, not the source's); a drop-out's
  year-2 orders (their number and total unchanged) all fall before its drop-out
  day, and so do its year-2 visits. Inactive customers likewise stop part-way
  through their last year. Only purchase and visit *timing* moves, so every yearly
  figure above is the same with or without the drop-out.
* **Activities** follow the contact cadence of each grade (digest §10) with noise.

Only numpy's ``default_rng(seed)``, a second numpy stream for the drop-out
(``SeedSequence(seed, spawn_key=(1,))``, so the drop-out draws never shift the
others) and one seeded Faker per locale (``seed_instance``) produce randomness;
Faker is used once, to draw fixed-size pools of person names, which numpy then
samples. Dates are fixed, never "today".

How the code is laid out: one module per table family, each step a function
``(rng, calibration, inputs) -> outputs`` of named frozen dataclasses, called here in
the order of :data:`STEPS`, which is the order of the draws from the one numpy
stream (the committed dataset depends on it):

* :mod:`custlib.synth.reps`: the reps, their regions and pipeline profiles;
* :mod:`custlib.synth.accounts`: the population, tiers, year-1 revenue, places, reps;
* :mod:`custlib.synth.orders`: customer-years, the meeting, the drop-out, the orders;
* :mod:`custlib.synth.opportunities`: won, lost and open opportunities;
* :mod:`custlib.synth.contacts`: contacts' roles (a step), names and details (the table);
* :mod:`custlib.synth.activities`: visits, calls and meetings;
* :mod:`custlib.synth.events`: market events and their invitations;
* :mod:`custlib.synth.customers`: the customer fields that need the rest (``finish``)
  and the customer ids;

over :mod:`custlib.synth.calibration` (:class:`Calibration` and the calendar),
:mod:`custlib.synth.people` (the Faker name pools) and :mod:`custlib.synth._arrays`
(array helpers). This module runs the steps and writes the files.

Examples
--------
>>> tables = generate(seed=1, customers=200)
>>> sorted(tables)
['activities', 'contacts', 'customers', 'events', 'opportunities', 'orders', 'reps']
>>> int((tables["customers"].column("status_layer").to_numpy(zero_copy_only=False)
...      == "customer").sum())
200
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from custlib import schema
from custlib.synth.accounts import make_accounts
from custlib.synth.activities import activities_table, make_activities
from custlib.synth.calibration import SNAPSHOT, YEAR1, YEAR2, Calibration
from custlib.synth.contacts import contacts_table, make_contacts
from custlib.synth.customers import make_customers
from custlib.synth.dictionary import render_dictionary
from custlib.synth.events import events_table, make_events
from custlib.synth.opportunities import make_opportunities, opportunities_table
from custlib.synth.orders import make_customer_years, make_orders, orders_table
from custlib.synth.people import name_pools
from custlib.synth.reps import make_reps

__all__ = ["Calibration", "generate", "write_dataset", "read_manifest", "file_sha256",
           "SNAPSHOT", "YEAR1", "YEAR2", "GENERATOR_VERSION"]

#: Bump when the generator's output changes on purpose; recorded in MANIFEST.json.
GENERATOR_VERSION = 3
#: The generation steps, in the order they draw from the numpy stream.
STEPS = ("reps", "accounts", "customer_years", "orders", "opportunities", "contacts",
         "activities", "events", "finish")


def _tables(seed: int, customers: int, locale: str, cal: Calibration, step):
    """Run the :data:`STEPS`, then yield ``(name, table)`` one table at a time.

    ``step(name, make, *args)`` runs one step (``make(*args)``) and returns its output.
    Each table is built only when asked for and each step's output is let go once the
    last table that needs it is built, so peak memory stays near one table's size.
    """
    if locale not in ("en_US", "zh_CN"):
        raise ValueError(f"locale must be 'en_US' or 'zh_CN', got {locale!r}")
    if customers < 100:
        raise ValueError(f"customers must be at least 100, got {customers}")
    rng = np.random.default_rng(seed)
    # its own stream, so drawing (or retuning) the drop-out leaves every other draw alone
    churn_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    pools = name_pools(locale, seed)

    reps = step("reps", make_reps, rng, cal, customers, locale, pools)
    acc = step("accounts", make_accounts, rng, cal, customers, locale, reps)
    years, year2 = step("customer_years", make_customer_years, rng, cal, acc, churn_rng)
    orders = step("orders", make_orders, rng, cal, years)
    del years
    opp = step("opportunities", make_opportunities, rng, cal, orders, acc, reps)
    contacts = step("contacts", make_contacts, rng, acc)
    act = step("activities", make_activities, rng, acc, year2, opp, contacts)
    del year2
    events = step("events", make_events, rng, cal, acc)
    cust = step("finish", make_customers, rng, locale, acc, orders, opp, act, events, reps)
    ids, table = cust.ids, cust.table  # the customer ids every other table refers to
    del cust

    yield "reps", reps.table
    yield "customers", table
    del table
    yield "orders", orders_table(orders, ids)
    # the contacts' names and details are drawn here, after every step (see contacts.py)
    table, contact_ids = contacts_table(rng, contacts, pools, ids)
    del orders, contacts
    yield "contacts", table
    del table
    yield "opportunities", opportunities_table(opp, ids, reps)
    del opp
    yield "activities", activities_table(act, acc, ids, contact_ids, reps)
    del act, contact_ids
    yield "events", events_table(events, acc, ids, locale)


def _stream(seed: int, customers: int, locale: str, calibration: Calibration | None,
            progress: bool):
    """Run the generation steps, then yield the tables one by one (with a progress bar)."""
    from tqdm.auto import tqdm

    total = len(STEPS) + len(schema.TABLE_ORDER)
    with tqdm(total=total, desc="generating", unit="step", disable=not progress) as bar:
        def step(name, make, *args):
            bar.set_postfix_str(name)
            out = make(*args)
            bar.update()
            return out

        for name, table in _tables(seed, customers, locale, calibration or Calibration(), step):
            expected = schema.TABLES[name].names
            if table.column_names != expected:  # a generator bug, never the user's
                raise AssertionError(
                    f"{name}: generated {table.column_names}, schema says {expected}")
            bar.set_postfix_str(name)
            yield name, table
            del table  # let it go before the next table is built
            bar.update()


def generate(seed: int = 2126, customers: int = 2126, locale: str = "en_US",
             calibration: Calibration | None = None, progress: bool = False) -> dict[str, pa.Table]:
    """Generate the synthetic CRM tables in memory.

    Parameters
    ----------
    seed : int
        Seed of numpy's ``default_rng`` and of the Faker instance.
    customers : int
        Customers who bought in year 1 (the pyramid's base); inactive customers,
        prospects, suspects, reps and events scale with it. At least 100.
    locale : {"en_US", "zh_CN"}
        Language of person and organisation names and of places.
    calibration : Calibration, optional
        The numbers that shape the data; the defaults reproduce the digest's cases.
    progress : bool
        Show a progress bar.

    Returns
    -------
    dict of str to pyarrow.Table
        One table per canonical table name (see :mod:`custlib.schema`), in
        :data:`custlib.schema.TABLE_ORDER`.
    """
    tables = dict(_stream(seed, customers, locale, calibration, progress))
    return {name: tables[name] for name in schema.TABLE_ORDER}

def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _library_versions() -> dict[str, str]:
    import faker

    return {"faker": faker.VERSION, "numpy": np.__version__, "pyarrow": pa.__version__}


def read_manifest(folder: str | os.PathLike) -> dict:
    """The ``MANIFEST.json`` of a generated dataset (parameters, versions, checksums)."""
    return json.loads((Path(folder) / "MANIFEST.json").read_text(encoding="utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _dataset_header(seed: int, customers: int, locale: str) -> str:
    cmd = f"custlib generate --seed {seed} --customers {customers} --locale {locale} --out DIR"
    return f"""# Synthetic CRM dataset — data dictionary

A fictional vendor of construction cost-estimation software and services (estimating,
quantity take-off and rebar software, training) selling to owners (甲方), contractors
(乙方), cost consultants and other intermediaries (中介) across China: the setting of
the seed customer-analysis workbook (客户分析表, digest §11). Every name, number and
phone number is made up.

* **Year 1** is {YEAR1} and **year 2** is {YEAR2}; the snapshot date is {SNAPSHOT}.
  Order history reaches back to 2019. Nothing is dated after the snapshot except the
  *expected* close dates of open opportunities, which are forecasts.
* **Population** (digest §7 case, per 2,126 customers who bought in year 1): 154
  inactive customers, 250 prospects and 1,000 suspects; about 20 sales reps.
* **Calibrated** so the lessons find what the source describes: year-1 tiers at the
  case thresholds (¥58,900 / ¥19,000 / ¥4,820) hold about 1/4/15/80% of customers and
  24/27/29/20% of revenue; in year 2 customers given a structured meeting grow about
  6% and the others shrink about 8%; about one first appointment in five is won; some
  reps have an empty pipeline front, others a pile-up in the middle.
* **Drop-out** (digest §5 stage D): during year 2 about one customer in nine stops
  buying for good (its last order in January or February), more often among the big
  customers and those without the meeting; its year-2 orders and visits all come before
  it stops, so the yearly figures above are unchanged. The drop-out rates are this
  dataset's, not the source's.
* **Made by** `{cmd}` (seed {seed}, {customers:,} year-1 customers, locale `{locale}`).
  The same command gives byte-identical files; `MANIFEST.json` holds the library
  versions used and the SHA-256 of every file, and the test suite regenerates the
  dataset and compares.
"""


def write_dataset(out: str | os.PathLike, seed: int = 2126, customers: int = 2126,
                  locale: str = "en_US", force: bool = False, progress: bool = False,
                  calibration: Calibration | None = None) -> dict:
    """Generate the dataset and write it as UTF-8 CSV files plus ``MANIFEST.json``.

    Refuses a non-empty ``out`` folder unless ``force``; then only the dataset's own
    files (the CSV tables and the manifest) are replaced, each written to a temporary
    file first and renamed into place, so an interrupted run leaves no torn file.

    Returns
    -------
    dict
        The manifest: parameters, library versions, and rows and SHA-256 of every file.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not force:
        raise FileExistsError(
            f"{out} is not empty; choose an empty folder or pass --force to replace its tables")
    out.mkdir(parents=True, exist_ok=True)
    options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
    files = {}
    for name, table in _stream(seed, customers, locale, calibration, progress):
        target = out / schema.TABLES[name].filename
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
        os.close(fd)
        try:
            pacsv.write_csv(table, tmp, options)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; use the user's default
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        files[target.name] = {"rows": table.num_rows, "sha256": file_sha256(target)}
        del table
    readme = out / "README.md"
    readme.write_text(render_dictionary(files, _dataset_header(seed, customers, locale)),
                      encoding="utf-8")
    files[readme.name] = {"sha256": file_sha256(readme)}
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed, "customers": customers, "locale": locale,
        "snapshot": str(SNAPSHOT), "year1": YEAR1, "year2": YEAR2,
        "calibration": asdict(calibration) if calibration else "default",
        "libraries": _library_versions(),
        "files": files,
    }
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    return manifest

