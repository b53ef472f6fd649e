"""Write the export fixtures of tests/exports/ as the source systems write them.

Each fixture is a folder holding the files a user would download, laid out and
formatted the way that system formats them (not the way custlib's schema would like
them), and an ``expected.json`` with the figures an analyst would check by hand in
the source system (row counts, totals to the cent). Deterministic: the same files
every run, so they are committed and this script only regenerates them.

    python tests/exports/make_exports.py

* ``salesforce/`` — an Opportunities report from a US org, "Export > Details Only",
  CSV: US dates (11/14/2024), amounts with thousands separators and cents, the
  report's footer lines, opportunities of accounts that have not bought yet; read
  with the shipped ``examples/mappings/salesforce.toml`` unchanged.
* ``hubspot/`` — a deals export: ISO dates with a time (2024-03-15 10:00), deals
  associated with several companies (``12345;67890``), probabilities as fractions;
  read with the shipped ``examples/mappings/hubspot.toml``.
* ``erp_lines/`` — invoice lines from an ERP: the invoice number repeats on every line
  of an invoice, the seller's own item names, day-first dates, cents.
* ``gbk_ledger/`` — a sales ledger kept in a Chinese accounting package, CSV in GBK
  with a two-line title block above the header, amounts in 元 with fen, dates written
  2024年3月5日, the seller's own product names.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).parent
START = dt.date(2024, 1, 1)
AS_OF = dt.date(2025, 12, 31)


def _day(rng: random.Random) -> dt.date:
    return START + dt.timedelta(days=rng.randrange((AS_OF - START).days + 1))


def _cents(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def _write(path: Path, rows: list[list], encoding="utf-8", head: list[str] = (),
           tail: list[str] = (), quoting=csv.QUOTE_MINIMAL) -> None:
    buf = io.StringIO()
    for line in head:
        buf.write(line + "\r\n")
    w = csv.writer(buf, quoting=quoting, lineterminator="\r\n")
    w.writerows(rows)
    for line in tail:
        buf.write(line + "\r\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))


def _us(d: dt.date) -> str:
    return f"{d.month}/{d.day}/{d.year}"


def _money(x: Decimal) -> str:
    return f"{x:,.2f}"


def salesforce(rng: random.Random) -> dict:
    owners = ["Maria Lopez", "James Carter", "Aisha Khan", "Tom Becker"]
    accounts = []
    for i in range(120):
        name = rng.choice(["Summit", "Harbor", "Pioneer", "Granite", "Cedar", "Atlas", "Beacon",
                           "Keystone", "Riverside", "Northwind"])
        kind = rng.choice(["Builders", "Construction LLC", "Engineering Inc.", "Contractors"])
        accounts.append((f"001Dn00000{i:05d}AAA", f"{name} {kind} {i}"))
    stages = [("Prospecting", 10), ("Qualification", 20), ("Needs Analysis", 30),
              ("Value Proposition", 40), ("Id. Decision Makers", 50), ("Proposal/Price Quote", 75),
              ("Negotiation/Review", 90), ("Closed Won", 100), ("Closed Lost", 0)]
    header = ["Opportunity Owner", "Account Name", "Opportunity Name", "Stage", "Fiscal Period",
              "Amount", "Probability (%)", "Age", "Close Date", "Created Date", "Next Step",
              "Lead Source", "Type", "Account ID", "Opportunity ID"]
    rows, won = [], []
    buyers = set()
    for i in range(400):
        acc_id, acc = accounts[rng.randrange(100)] if i % 5 else accounts[100 + i % 20]
        stage, prob = rng.choice(stages)
        if acc_id >= accounts[100][0]:           # the last 20 accounts never buy
            stage, prob = rng.choice(stages[:7])
        created = _day(rng) - dt.timedelta(days=60)
        close = created + dt.timedelta(days=rng.randrange(10, 200))
        if stage.startswith("Closed") and close > AS_OF:
            close = AS_OF - dt.timedelta(days=rng.randrange(30))
        amount = _cents(rng, 500, 40_000)
        row = [rng.choice(owners), acc, f"{acc} - {rng.choice(['Seats', 'Upgrade', 'Renewal'])}",
               stage, f"Q{(close.month - 1) // 3 + 1}-{close.year}", _money(amount), prob,
               (AS_OF - created).days, _us(close), _us(created), "", rng.choice(
                   ["Web", "Partner Referral", "Trade Show", ""]),
               rng.choice(["New Business", "Existing Business"]), acc_id, f"006Dn00000{i:05d}AAA"]
        rows.append(row)
        if stage == "Closed Won":
            won.append(row)
            buyers.add(acc_id)
    footer = ["", '"Confidential Information - Do Not Distribute"',
              '"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."']
    folder = HERE / "salesforce"
    _write(folder / "opportunities.csv", [header] + rows, quoting=csv.QUOTE_ALL, tail=footer)
    _write(folder / "closed_won.csv", [header] + won, quoting=csv.QUOTE_ALL, tail=footer)
    total = sum(Decimal(r[5].replace(",", "")) for r in won)
    accounts_all = {r[13] for r in rows}
    return {"orders": len(won), "revenue": str(total), "opportunities": len(rows),
            "customers": len(accounts_all), "prospects": len(accounts_all - buyers),
            "first_order": min(dt.datetime.strptime(r[8], "%m/%d/%Y").date() for r in won).isoformat()}


def hubspot(rng: random.Random) -> dict:
    stages = ["Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled",
              "Decision Maker Bought-In", "Contract Sent", "Closed Won", "Closed Lost"]
    header = ["Record ID", "Deal Name", "Deal Stage", "Close Date", "Deal owner", "Amount",
              "Create Date", "Pipeline", "Associated Company IDs", "Deal probability"]
    companies = [str(9_000_000_000 + 37 * i) for i in range(80)]
    rows, won = [], []
    for i in range(300):
        stage = rng.choice(stages)
        created = dt.datetime.combine(_day(rng) - dt.timedelta(days=90), dt.time(rng.randrange(8, 18), rng.choice([0, 15, 30])))
        close = created + dt.timedelta(days=rng.randrange(5, 120))
        if close.date() > AS_OF:
            close = dt.datetime.combine(AS_OF, dt.time(17, 0))
        company = rng.choice(companies)
        assoc = company + (f";{rng.choice(companies)}" if i % 17 == 0 else "")
        amount = _cents(rng, 300, 25_000)
        prob = {"Closed Won": 1, "Closed Lost": 0}.get(stage, round(rng.random(), 1))
        row = [str(14_000_000_000 + i), f"Deal {i}", stage, close.strftime("%Y-%m-%d %H:%M"),
               rng.choice(["Li Na", "Wang Hao", "Chen Jie"]), f"{amount:.2f}",
               created.strftime("%Y-%m-%d %H:%M"), "Sales Pipeline", assoc, prob]
        rows.append(row)
        if stage == "Closed Won":
            won.append(row)
    folder = HERE / "hubspot"
    _write(folder / "deals.csv", [header] + rows)
    _write(folder / "closed_won.csv", [header] + won)
    total = sum(Decimal(r[5]) for r in won)
    return {"orders": len(won), "revenue": str(total), "opportunities": len(rows),
            "multi_company_rows": sum(1 for r in rows if ";" in r[8])}


def erp_lines(rng: random.Random) -> dict:
    items = [("GTJ2025", "广联达GTJ2025 土建计量"), ("GCCP7", "Cloud seat GCCP7.0"),
             ("SVC-TRN", "On-site training day"), ("MAINT", "Annual maintenance")]
    header = ["Invoice No", "Line", "Customer No", "Customer Name", "Invoice Date", "Item",
              "Description", "Qty", "Unit Price", "Net Amount", "Cost"]
    rows = []
    invoices = 0
    customers = [(f"K{10_000 + i}", f"Kunde {i} GmbH") for i in range(60)]
    for inv in range(250):
        cid, cname = rng.choice(customers)
        day = _day(rng)
        invoices += 1
        for line in range(1, rng.randrange(2, 5)):
            item, desc = rng.choice(items)
            qty = rng.randrange(1, 6)
            price = _cents(rng, 80, 3_000)
            net = price * qty
            cost = (net * Decimal("0.4")).quantize(Decimal("0.01"))
            rows.append([f"RE-2{inv:05d}", line, cid, cname, day.strftime("%d.%m.%Y"), item, desc,
                         qty, f"{price:.2f}", f"{net:.2f}", f"{cost:.2f}"])
    folder = HERE / "erp_lines"
    _write(folder / "invoice_lines.csv", [header] + rows)
    (folder / "mapping.toml").write_text(
        "# Invoice lines from an ERP: one row per line; the invoice number repeats.\n"
        "[settings]\ncurrency = \"EUR\"\nas_of = \"2025-12-31\"\n\n"
        "[orders]\nfile = \"invoice_lines.csv\"\n\n[orders.columns]\n"
        "\"Invoice No\" = \"order_id\"\n\"Customer No\" = \"customer_id\"\n"
        "\"Customer Name\" = \"customer_name\"\n\"Invoice Date\" = \"order_date\"\n"
        "\"Item\" = \"product_line\"\n\"Qty\" = \"seats\"\n\"Net Amount\" = \"amount\"\n"
        "\"Cost\" = \"cost\"\n", encoding="utf-8")
    return {"orders": invoices, "lines": len(rows), "revenue": str(sum(Decimal(r[9]) for r in rows)),
            "cost": str(sum(Decimal(r[10]) for r in rows)), "customers": len({r[2] for r in rows})}


def gbk_ledger(rng: random.Random) -> dict:
    products = ["广联达GTJ2025", "云计价GCCP7", "钢筋翻样", "培训服务"]
    header = ["客户编号", "客户名称", "日期", "产品", "数量", "金额（元）", "成本（元）", "经办人"]
    names = ["苏州宏远建设有限公司", "南京中建安装工程有限公司", "杭州市政设计院", "无锡园林绿化有限公司",
             "上海华东造价咨询有限公司", "合肥建工集团", "宁波装饰工程有限公司", "常州城建开发有限公司"]
    rows = []
    for i in range(200):
        k = rng.randrange(len(names))
        d = _day(rng)
        amount = _cents(rng, 200, 60_000)
        cost = (amount * Decimal("0.35")).quantize(Decimal("0.01"))
        rows.append([f"KH{k + 1:04d}", names[k], f"{d.year}年{d.month}月{d.day}日",
                     rng.choice(products), rng.randrange(1, 4), f"￥{amount:,.2f}", f"{cost:.2f}元",
                     rng.choice(["张伟", "李娜", "王芳"])])
    folder = HERE / "gbk_ledger"
    _write(folder / "销售台账.csv", [header] + rows, encoding="gbk",
           head=["某某软件有限公司销售台账,,,,,,,", "期间：2024年1月—2025年12月,,,,,,,"])
    (folder / "mapping.toml").write_text(
        "# 财务软件导出的销售台账（GBK，表头上方有两行标题）\n"
        "[settings]\nas_of = \"2025-12-31\"\n\n"
        "[orders]\nfile = \"销售台账.csv\"\n\n[orders.columns]\n"
        "\"客户编号\" = \"customer_id\"\n\"客户名称\" = \"customer_name\"\n\"日期\" = \"order_date\"\n"
        "\"产品\" = \"product_line\"\n\"数量\" = \"seats\"\n\"金额（元）\" = \"amount\"\n"
        "\"成本（元）\" = \"cost\"\n", encoding="utf-8")
    return {"orders": len(rows), "revenue": str(sum(Decimal(r[5].strip("￥").replace(",", ""))
                                                   for r in rows)),
            "cost": str(sum(Decimal(r[6].rstrip("元")) for r in rows)), "customers": len({r[0] for r in rows}),
            "products": sorted({r[3] for r in rows})}


def main() -> None:
    expected = {}
    for make in (salesforce, hubspot, erp_lines, gbk_ledger):
        expected[make.__name__] = make(random.Random(make.__name__))
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")


if __name__ == "__main__":
    main()
