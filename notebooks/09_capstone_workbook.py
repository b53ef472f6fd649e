# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 9. Capstone: the monthly customer-analysis workbook and key-account plans (客户分析表, 大客户营销方案)
#
# Everything so far comes together here. Each month every salesperson inventories
# **all** of their CRM customers in one table, the manager reviews it on fixed dates,
# and a handful of roll-ups turns it into decisions. This lesson builds that workbook
# from the CRM, writes the Excel file a sales manager opens, and ends with plans for
# key accounts and the house rules of customer management.
#
# **In this lesson you will**
#
# * build the master customer-analysis table (客户分析总表) and see which fields are blank;
# * compute the **expected sales value** (预期销售额) of every open deal;
# * produce the four roll-ups: classification summary, organisation purchases,
#   individual purchases and upgrade analysis;
# * write the manager's Excel workbook and check it;
# * size a target market by province and price a group-purchase plan (团购方案).

# %% [markdown]
# ## Where the data comes from
#
# `DATA = None` uses the bundled data (or `$CUSTLIB_DATA`); put the path of your export in
# quotes to use yours, with its `MAPPING` file if its columns carry your own names (see
# lesson 0). The master table holds what your data knows and leaves the rest blank; the
# deal roll-ups need the opportunities.

# %% tags=["parameters"]
DATA = None     # None: the bundled data (or $CUSTLIB_DATA); or "/path/to/your/export", a folder or one file
MAPPING = None  # None: columns already named as in the input contract (or $CUSTLIB_MAPPING); or "/path/to/mapping.toml"
AS_OF = None    # None: the analysis date stated with the data, else its last dated row; or "2025-12-31"

# %%
import os
from pathlib import Path

import ipywidgets as widgets
import matplotlib.pyplot as plt
import openpyxl
import pandas as pd
from matplotlib.ticker import FuncFormatter

from custlib import course, period
from custlib.course.exercises import Check
from custlib.money import label, money, short, unit
from custlib.course import what_if
from custlib.report import workbook_tables, write_workbook
from custlib.course.sections import missing, unknown_as  # also registers %%needs
from custlib.rollups import (classification_summary, expected_sales_value, master_table,
                              open_opportunities, purchase_summary, upgrade_analysis)

# the course's chart style, the data, and the last 12 months up to the analysis date
# (分析日期): stated with the data, else its latest order or activity
crm, (YEAR_START, AS_OF) = course.setup(DATA, MAPPING, AS_OF)
print("analysis date:", AS_OF.date())

# %% [markdown]
# ## 1. The master table (客户分析总表)
#
# One row per organisation in the CRM, with six groups of fields:
#
# | group | examples |
# |---|---|
# | customer information (客户信息) | salesperson, organisation, contact, role, title, mobile, e-mail, QQ, birthday |
# | relationship (客户关系) | visited in the last three months, visits and calls per month |
# | classification (客户分类) | customer or user, importance, organisation type (单位类型), business line (专业), market space (市场空间) |
# | needs (客户需求) | cost estimators (预算员人数), seats owned, headroom, competitor and its seats |
# | sales progress (销售进展) | grade, stage, expected date, product, value, close probability |
# | event invitations (活动邀约) | events invited to and attended, deal amount |
#
# A customer with several open deals shows its **main deal** (the one with the largest
# expected sales value) in the sales-progress fields: its own stage, date, product, value,
# probability and expected sales value. The totals of all its open deals stand apart, in
# `open_deals`, `open_value_total` and `expected_sales_value_total`.
#
# The rule that makes the table trustworthy: **blank when unknown, never invented**
# (不知道的空着). A blank is information: it tells the rep what to find out on the next visit.

# %%
# the fields your data fills at all (the salesperson's column is kept even when blank)
known = crm.customers[[c for c in crm.customers if c == "rep_id" or crm.customers[c].notna().any()]]
master = master_table(known, as_of=AS_OF, orders=crm.orders, contacts=crm.contacts,
                      opportunities=crm.opportunities, activities=crm.activities,
                      events=crm.events)
print(f"{len(master):,} organisations, {master.shape[1]} fields")
master.head(3).T.head(20)

# %%
groups = {
    "customer information": ["contact_name", "role", "title", "mobile", "email", "qq", "birthday"],
    "relationship": ["visited_recently", "visits_per_month", "calls_per_month"],
    "classification": ["importance", "org_type", "business_line", "market_space"],
    "needs": ["estimators", "seats_owned", "headroom", "competitor"],
    "sales progress": ["grade", "stage", "expected_close_date", "expected_value", "probability"],
}
# a field the data does not have at all counts as blank: the workbook asks for it all the same
filled = pd.Series({g: master.reindex(columns=cols).notna().to_numpy().mean()
                    for g, cols in groups.items()}, name="share of fields filled")

fig, ax = plt.subplots()
ax.barh(filled.index[::-1], filled.to_numpy()[::-1], color="#1f77b4")
ax.set_xlim(0, 1)
ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0%}"))
ax.set_title("How complete is the master table? (客户分析总表)")
ax.set_xlabel("share of fields filled in")
plt.show()
filled.to_frame()

# %% [markdown]
# Sales progress is the emptiest group, and rightly so: only organisations with an
# open deal have a stage, a date and a value. Competitor names are blank for most
# organisations because most use no competing product: an empty field there is an answer.

# %% [markdown]
# ## 2. Expected sales value (预期销售额)
#
# A deal worth ¥20,000 with a 25 % chance is not worth ¥20,000 in next quarter's plan.
# The workbook weights each open deal by its close probability:
#
# $$\text{expected sales value} = \text{expected deal value (CNY)} \times \text{close probability}$$
#
# and adds up the weighted values. The grade of each open deal (A/B/C/D, lesson 6)
# comes with it.

# %%
# %%needs opportunities.stage opportunities.expected_value opportunities.probability opportunities.expected_close_date
open_opps = open_opportunities(crm.opportunities, AS_OF)
check = expected_sales_value(open_opps)
assert (check == open_opps["expected_value"] * open_opps["probability"]).all()
print(f"{len(open_opps):,} open deals, expected value {money(open_opps['expected_value'].sum())}, "
      f"expected sales value {money(open_opps['expected_sales_value'].sum())}")
open_opps[["customer_id", "rep_id", "stage", "grade", "expected_value", "probability",
           "expected_sales_value"]].head()

# %% [markdown]
# ## 3. The four roll-ups (汇总表)
#
# The manager never reads the master table row by row. Four summaries are filtered out of it:
#
# * **customer classification summary** (客户分类汇总表): how many customers per grade,
#   importance, organisation type, business line and product, with their expected sales value;
# * **organisation-purchase summary** (单位购买汇总表): open deals paid by the organisation;
# * **individual-purchase summary** (个人购买汇总表): open deals an estimator pays personally;
# * **user-upgrade analysis** (用户升级分析表): open upgrades and their value.

# %%
# %%needs opportunities.stage opportunities.expected_value opportunities.probability opportunities.expected_close_date
classification_summary(master)

# %%
# %%needs opportunities.stage opportunities.expected_value opportunities.probability opportunities.expected_close_date opportunities.buyer_kind opportunities.is_upgrade
org = purchase_summary(open_opps, "organisation")
ind = purchase_summary(open_opps, "individual")
ups = upgrade_analysis(open_opps)
# the roll-ups add up to the open deals they are filtered from
assert org.loc["total", "deals"] + ind.loc["total", "deals"] == len(open_opps)
assert abs(org.loc["total", "expected_sales_value"] + ind.loc["total", "expected_sales_value"]
           - open_opps["expected_sales_value"].sum()) < 1
org

# %%
# %%needs opportunities.stage opportunities.expected_value opportunities.probability opportunities.expected_close_date opportunities.buyer_kind opportunities.is_upgrade
by_grade = pd.DataFrame({"organisation (单位)": org["expected_sales_value"].drop("total"),
                         "individual (个人)": ind["expected_sales_value"].drop("total")})
ax = by_grade.plot.bar(stacked=True, rot=0)
ax.yaxis.set_major_formatter(FuncFormatter(short))
ax.set_title("Expected sales value of open deals by grade")
ax.set_xlabel("grade (客户分级)")
ax.set_ylabel(label("expected sales value"))
plt.show()
ups


# %% [markdown]
# **What a manager does with this.** At each review date (the source's example:
# 8 and 20 October, 10 November, 10 December) the manager compares the expected sales
# value with the target, asks each rep about their A and B deals (what is the next
# step, what help is needed), and checks that the blanks of last month were filled in.
# Grade D deals with a high value are the ones to qualify or drop.

# %% [markdown]
# ### Try it: one rep's workbook
#
# Pick a rep and a minimum close probability: the roll-up and the chart follow. This is
# the view a rep prepares before the review.

# %%
# %%needs opportunities.stage opportunities.expected_value opportunities.probability opportunities.expected_close_date opportunities.buyer_kind opportunities.is_upgrade opportunities.rep_id
def rep_view(rep="all", min_probability=0.0):
    sel = open_opps if rep == "all" else open_opps[open_opps["rep_id"] == rep]
    sel = sel[sel["probability"] >= min_probability]
    table = sel.groupby(["grade", "buyer_kind"], observed=False)["expected_sales_value"].sum().unstack()
    fig, ax = plt.subplots(figsize=(7, 3.5))
    table.plot.bar(stacked=True, rot=0, ax=ax)
    ax.yaxis.set_major_formatter(FuncFormatter(short))
    ax.set_title(f"Expected sales value, rep {rep}, probability >= {min_probability:.0%}")
    ax.set_xlabel("grade")
    ax.set_ylabel(unit())
    plt.show()
    print(f"{len(sel)} deals, expected sales value {money(sel['expected_sales_value'].sum())}")

reps = ["all"] + sorted(open_opps["rep_id"].astype(str).unique())
what_if(rep_view, rep=widgets.Dropdown(options=reps, value="all"),
                 min_probability=widgets.FloatSlider(min=0, max=1, step=0.05, value=0.0));

# %% [markdown]
# ## 4. The Excel file for the sales manager
#
# `custlib.report.write_workbook` writes a cover sheet (说明: the data, the analysis date,
# the 12-month period, the currency, what each sheet holds and the policy numbers used),
# then the master table, the four roll-ups and the pyramid, Pareto, lifecycle, funnel and
# grade tables, one sheet each, with bilingual sheet names. Each sheet has two header
# rows, the Chinese column names above the English ones; a program reads the English row
# (`header=1` in `pd.read_excel`). No cell is ever a formula, whatever the names in the data.
#
# Run by hand, this lesson writes a workbook to `build/lesson-files/` of the project
# (never next to your data) and reads it back. Under `custlib run` one workbook is written
# per run, `files/customer-analysis-workbook.xlsx`: the lesson opens that one instead of
# writing a second copy.

# %%
import tempfile

from custlib.report import COVER_SHEET, HEADER_ROWS

run_book = os.environ.get("CUSTLIB_WORKBOOK")     # custlib run: the run's workbook, written already
with tempfile.TemporaryDirectory() as tmp:
    if run_book:
        path = Path(run_book)
    else:    # under a run that writes no workbook, a copy in a temporary folder
        out_dir = Path(tmp) if os.environ.get("CUSTLIB_OUT") else Path.cwd().parent / "build" / "lesson-files"
        out_dir.mkdir(parents=True, exist_ok=True)
        path = write_workbook(crm, out_dir / "customer-analysis-workbook-lesson9.xlsx", as_of=AS_OF)
    book = openpyxl.load_workbook(path, read_only=True)
    print("sheets:", book.sheetnames)
    book.close()
    # the cover states the analysis date and the period of the sheets
    cover = pd.read_excel(path, sheet_name=COVER_SHEET, header=HEADER_ROWS - 1, index_col=1)
    period_rows = cover.loc[["analysis date · 分析日期", "period start · 期间起始",
                             "period end · 期间截止"], "value"]
    assert pd.Timestamp(period_rows.iloc[0]) == AS_OF
    if not missing(crm, ["opportunities.stage", "opportunities.buyer_kind"]):   # section 3 ran
        org_sheet = pd.read_excel(path, sheet_name="organisation · 单位购买汇总表",
                                  header=HEADER_ROWS - 1, index_col=0)
        assert org_sheet.loc["total", "deals"] == org.loc["total", "deals"]  # the same numbers
print("the run's workbook: files/customer-analysis-workbook.xlsx" if run_book
      else f"written to {path}")
period_rows.map(lambda d: pd.Timestamp(d).date()).to_frame()

# %% [markdown]
# ## 5. Key-account plans (大客户营销方案)
#
# Key accounts are handled **one to one** (一对一), with a plan of their own. One plan
# the source describes is the **group purchase** (团购) through an institution — a
# workplace, a chamber of commerce: first contact through the union chair or the person
# in charge, ideally with an introduction; a demonstration on site; special terms, for
# example supply at 85 % of list price (8.5折) plus a 10 % commission to the chamber;
# and every promise made in the demo kept.
#
# What is left of the list price? With a discount to a fraction $d$ of list and a
# commission $c$ of the sale:
#
# $$\text{net share of list} = d\,(1 - c) = 0.85 \times 0.90 = 0.765$$
#
# Before any plan comes market sizing. The source's **[case]**: 236 electroplating firms
# surveyed in 2010, by province.

# %%
plating = pd.Series({
    "Guangdong": 63, "Jiangsu": 37, "Zhejiang": 24, "Shanghai": 17, "Shandong": 15, "Anhui": 10,
    "Fujian": 9, "Hebei": 9, "Hubei": 9, "Beijing": 7, "Henan": 7, "Jiangxi": 4, "Liaoning": 4,
    "Tianjin": 4, "Heilongjiang": 4, "Hunan": 3, "Guizhou": 2, "Sichuan": 2, "Chongqing": 2,
    "Guangxi": 1, "Jilin": 1, "Inner Mongolia": 1, "Shanxi": 1}, name="firms")
assert plating.sum() == 236 and len(plating) == 23  # the [case] total
top3 = plating.nlargest(3).sum() / plating.sum()
print(f"the top three provinces hold {top3:.0%} of the firms")

fig, ax = plt.subplots(figsize=(9, 4))
ax.bar(plating.index, plating.to_numpy(), color="#ff7f0e")
ax.set_title("Electroplating firms surveyed in 2010, by province (236 firms)")
ax.set_ylabel("firms")
ax.tick_params(axis="x", rotation=70)
plt.show()

# %% [markdown]
# ### Our customers by province
#
# The same sizing on our CRM: where are the customers, and where is the revenue of
# the last 12 months? Provinces with many organisations but little revenue are where a
# group-purchase plan through a local association could pay.

# %%
# %%needs customers.province
rev = period.revenue_by_customer(crm.orders, *period.window(AS_OF))   # the last 12 months
prov = crm.customers.assign(revenue=crm.customers["customer_id"].map(rev).fillna(0),
                            province=unknown_as(crm.customers["province"])   # blank: "unknown"
                            ).groupby("province", observed=True).agg(
    organisations=("customer_id", "size"), revenue=("revenue", "sum"))
prov["revenue per organisation"] = prov["revenue"] / prov["organisations"]
prov.sort_values("organisations", ascending=False).head(8)

# %% [markdown]
# ## 6. House rules of customer management (客户管理制度)
#
# * **Classify and handle** potential, new, old, big and small customers differently (lesson 5).
# * **Protect customer information** (客户信息保密): store it securely, never leak or
#   misuse it, share it only with the customer's written consent under a confidentiality
#   agreement. In this project: `custlib run --pseudonymise` replaces names, phones,
#   e-mails, QQ numbers and ids with pseudonyms and empties the birthdays in every output,
#   and lessons are committed without outputs.
# * **Handle complaints** with a record of each one, and analyse them periodically.
# * **Assess satisfaction** periodically.

# %% [markdown]
# ## Your turn
#
# Run each cell after replacing `None`; the check says *correct* or *not yet* and why.

# %%
q1 = Check("Exercise 1", lambda: float(open_opps.loc[open_opps["buyer_kind"] == "organisation",
                                                    "expected_sales_value"].sum()), rtol=1e-6,
           hint="keep the open deals the organisation pays for, add up expected_value x probability")
q2 = Check("Exercise 2", lambda: open_opps.groupby("rep_id", observed=True)["expected_sales_value"].sum().idxmax(),
           hint="group the open deals by rep_id and add up expected_sales_value")
q3 = Check("Exercise 3", lambda: int((open_opps["is_upgrade"].astype(bool)
                                      & open_opps["closes_within_3_months"]).sum()),
           hint="open deals that are upgrades AND expected to close within three months")
q4 = Check("Exercise 4", lambda: 0.85 * (1 - 0.10), rtol=1e-9,
           hint="the discount leaves 85 % of list; the commission takes 10 % of that")

# %% [markdown]
# **Exercise 1.** What is the expected sales value (in the data's currency) of all open deals paid by the organisation (单位购买)?

# %% exercise={"id": "q1", "wrong": "answer_q1 = float(open_opps.loc[open_opps['buyer_kind'] == 'organisation', 'expected_value'].sum())"}
# %%needs --exercise opportunities.stage opportunities.expected_value opportunities.probability opportunities.expected_close_date opportunities.buyer_kind opportunities.is_upgrade
answer_q1 = None
q1(answer_q1)

# %% [markdown] solution="q1"
# <details><summary>Solution</summary>
#
# ```python
# answer_q1 = float(open_opps.loc[open_opps["buyer_kind"] == "organisation", "expected_sales_value"].sum())
# ```
#
# Weight each deal by its probability: the plain expected value overstates what will close.
# </details>

# %% [markdown]
# **Exercise 2.** Which rep (`rep_id`) carries the largest expected sales value in open deals?

# %% exercise={"id": "q2", "wrong": "answer_q2 = open_opps.groupby('rep_id', observed=True)['expected_sales_value'].sum().idxmin()"}
# %%needs --exercise opportunities.stage opportunities.expected_value opportunities.probability opportunities.expected_close_date opportunities.rep_id
answer_q2 = None
q2(answer_q2)

# %% [markdown] solution="q2"
# <details><summary>Solution</summary>
#
# ```python
# answer_q2 = open_opps.groupby("rep_id", observed=True)["expected_sales_value"].sum().idxmax()
# ```
#
# The rep with the most deals is not necessarily the one with the most weighted value.
# </details>

# %% [markdown]
# **Exercise 3.** How many open **upgrade** deals are expected to close within three months?

# %% exercise={"id": "q3", "wrong": "answer_q3 = int(open_opps['is_upgrade'].astype(bool).sum())"}
# %%needs --exercise opportunities.stage opportunities.expected_value opportunities.probability opportunities.expected_close_date opportunities.buyer_kind opportunities.is_upgrade
answer_q3 = None
q3(answer_q3)

# %% [markdown] solution="q3"
# <details><summary>Solution</summary>
#
# ```python
# answer_q3 = int((open_opps["is_upgrade"].astype(bool) & open_opps["closes_within_3_months"]).sum())
# ```
#
# Both conditions at once: an upgrade, and a close inside the next three months.
# </details>

# %% [markdown]
# **Exercise 4.** Under the group-purchase terms (85 % of list, 10 % commission to the chamber), what fraction of the list price does the company keep? Answer as a fraction, e.g. 0.5.

# %% exercise={"id": "q4", "wrong": "answer_q4 = 0.85 - 0.10"}
answer_q4 = None
q4(answer_q4)

# %% [markdown] solution="q4"
# <details><summary>Solution</summary>
#
# ```python
# answer_q4 = 0.85 * (1 - 0.10)
# ```
#
# The commission is a share of the discounted price, so the two multiply: 0.765 of list.
# </details>

# %% [markdown]
# ## Next
#
# That is the whole course. For your own data: `custlib validate` checks an export,
# `custlib run --data PATH --mapping FILE` runs every lesson the data allows and writes
# this workbook for your manager (see the project README).
