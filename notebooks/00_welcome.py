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
# # 0. Welcome and a tour of the data (欢迎)
#
# This first lesson opens the course with a tour of the data: the company whose CRM we
# analyse, its seven tables and how they link, and the one setting that points every
# lesson at your own export. The course teaches the customer-analysis methods of
# sales-training practice and applies each one to that CRM. Every lesson follows the same path: the idea in plain
# words, the formula, the `custlib` call that computes it, a chart, and what a sales
# manager does with the result. Each ends with exercises you can check yourself.
#
# **In this lesson you will**
#
# * meet the company whose CRM we analyse;
# * load its seven tables and see how they link;
# * see the four layers of the customer base (客户层级) and the revenue over time;
# * point every lesson at your own data with one setting.

# %% [markdown]
# ## The company
#
# Our example is a fictional vendor of **construction cost-estimation software and
# services** in China: estimating, quantity take-off and rebar software, plus training.
# Its customers are organisations of four types (单位类型): **owners** (甲方) who
# commission buildings, **contractors** (乙方) who build them, **intermediaries** (中介)
# such as cost consultancies, and others. Each works in one business line (专业):
# civil (土建), installation (安装), municipal (市政), decoration (装饰) or landscape (园林).
#
# The people who use the software are cost estimators (预算员); a firm buys seats for
# them, or an estimator buys a personal licence.
#
# **Year 1** of the course's worked examples is 2024 and **year 2** is 2025; the data
# was extracted on 31 December 2025.

# %% [markdown]
# ## Where the data comes from: one setting
#
# The next cell is the only place a lesson is told where its data lives. `DATA = None`
# means "the bundled synthetic data", unless the environment variable `CUSTLIB_DATA`
# names another folder. To use your own CRM export here, put its path in quotes: a
# folder of tables or a single orders file, CSV or Excel. If its columns carry your own
# names, `MAPPING` names the mapping file that renames them (see the README), and
# `AS_OF` fixes the analysis date (分析日期) when the export does not state it.
# `custlib run --data PATH` sets all three for every lesson. The set-up cell after it
# is one call in every lesson, `course.setup(DATA, MAPPING, AS_OF)`: it applies the
# course's chart style, reads the data, and returns it with the **analysis window**
# (分析期间), the last 12 months up to the analysis date, both days included.
#
# Your data need not hold everything: with only customer, date and amount, each lesson
# runs the sections those columns feed and says, in one line, what the others need.

# %% tags=["parameters"]
DATA = None     # None: the bundled data (or $CUSTLIB_DATA); or "/path/to/your/export", a folder or one file
MAPPING = None  # None: columns already named as in the input contract (or $CUSTLIB_MAPPING); or "/path/to/mapping.toml"
AS_OF = None    # None: the analysis date stated with the data, else its last dated row; or "2025-12-31"

# %%
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from custlib import course, period
from custlib.course.exercises import Check
from custlib.money import label, short
from custlib.plotting import format_table
from custlib.course.sections import needs  # also registers %%needs

# the course's chart style, the data, and the analysis window: the last 12 months
# up to the analysis date (分析日期), both ends included
crm, (YEAR_START, AS_OF) = course.setup(DATA, MAPPING, AS_OF)
print("data folder:", crm.path)
print("tables:", ", ".join(crm.tables))
print("analysis date:", AS_OF.date())

# %% [markdown]
# ## The seven tables
#
# | table | one row is | links to |
# |---|---|---|
# | `reps` | a sales representative (销售人员) | — |
# | `customers` | an organisation in the CRM, bought from us or not | its rep |
# | `contacts` | a person at an organisation, with their role in the decision | the customer |
# | `orders` | an order: product, seats, revenue and cost | the customer |
# | `opportunities` | a sales opportunity and the date it entered each pipeline stage | the customer, the rep |
# | `activities` | a visit, a call or a structured meeting | the customer, the contact, the rep |
# | `events` | an invitation to a market event | the customer |
#
# `customer_id` ties everything together. The full description of every column, with
# the matching field of the salesperson's workbook in Chinese, is the data dictionary:
# `data/synthetic/README.md`.

# %%
sizes = pd.Series({name: crm.rows(name) for name in crm.tables}, name="rows")   # counted, not read
format_table(sizes.to_frame())   # counts with separators

# %%
format_table(crm.orders.head())   # amounts in the data's currency, dates without a time

# %% [markdown]
# ## Four layers of the customer base (客户层级)
#
# A **customer** (客户) is anyone who has bought from us: that is the one criterion
# that separates customers from everybody else. Below the customers sit three layers:
#
# * **inactive customers** (不积极的客户) bought in the past but not recently;
# * **prospects** (潜在客户) have met us (a first appointment) but not bought;
# * **suspects** (需置疑的客户) are in the CRM but not yet qualified.
#
# The layers matter because each needs a different kind of work: keeping and growing
# customers, winning back the inactive, closing prospects, qualifying suspects.

# %%
# %%needs customers.status_layer
layers = crm.customers["status_layer"].value_counts().reindex(
    ["customer", "inactive", "prospect", "suspect"], fill_value=0)
labels = ["customers\n客户", "inactive\n不积极", "prospects\n潜在", "suspects\n需置疑"]

fig, ax = plt.subplots()
bars = ax.bar(labels, layers.to_numpy(), color=["#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78"])
ax.bar_label(bars, fmt="{:,.0f}", fontsize=13)
ax.set_title("Organisations in the CRM by layer")
ax.set_ylabel("organisations")
plt.show()

# %% [markdown]
# ## Revenue month by month
#
# Revenue is the sum of order amounts. The chart shows the last two 12-month windows up
# to the analysis date (for the bundled data, the two years of the course's examples);
# note the dip around the Spring Festival and the year-end peak, when firms spend what
# is left of their budgets.

# %%
orders = crm.orders
START = period.window(AS_OF, back=1)[0]             # two 12-month windows up to AS_OF
recent = period.in_window(orders, START, AS_OF)
monthly = recent.groupby(recent["order_date"].dt.to_period("M"))["amount"].sum()

fig, ax = plt.subplots()
ax.plot(monthly.index.to_timestamp(), monthly.to_numpy(), marker="o")
ax.yaxis.set_major_formatter(FuncFormatter(short))
ax.set_title(f"Monthly revenue, {START:%b %Y} to {AS_OF:%b %Y}")
ax.set_xlabel("month")
ax.set_ylabel(label("revenue"))
plt.show()

by_year = orders.groupby(orders["order_date"].dt.year)["amount"].agg(["sum", "count"])
by_year.columns = [label("revenue"), "orders"]
format_table(by_year.tail(3))

# %% [markdown]
# **What a manager does with this.** Before any method, know your base: how many
# organisations are customers at all, how many people you could still win, and how
# revenue moves through the year (when to plan events and visits). The next lessons
# turn these tables into decisions.

# %% [markdown]
# ## Your turn
#
# Three short exercises. Replace `None` with your code and run the cell: the check
# says *correct*, or *not yet* with what is off. Hidden solutions follow each one.

# %%
YEAR_ONE = period.window(AS_OF, back=1)           # 2024 for the bundled data
orders_y1 = period.in_window(crm.orders, *YEAR_ONE)
q1 = Check("Exercise 1", lambda: float(orders_y1["amount"].sum()),
           hint="keep the orders of year one (orders_y1), then add up the amount column")
q2 = Check("Exercise 2", lambda: crm.customers.loc[crm.customers["status_layer"] == "customer",
                                                   "rep_id"].value_counts().idxmax(),
           hint="keep status_layer == 'customer', then count rep_id values")
q3 = Check("Exercise 3", lambda: orders_y1["order_id"].nunique() / orders_y1["customer_id"].nunique(), hint="orders in year one divided by the customers who ordered in year one")
print(f"year one: {YEAR_ONE[0].date()} to {YEAR_ONE[1].date()}")

# %% [markdown]
# **Exercise 1.** What was the total revenue of year one (2024 for the bundled data), in the data's currency?

# %% exercise={"id": "q1", "wrong": "answer_q1 = int(crm.orders['amount'].sum())"}
answer_q1 = None
q1(answer_q1)

# %% [markdown] solution="q1"
# <details><summary>Solution</summary>
#
# ```python
# answer_q1 = float(orders_y1["amount"].sum())
# ```
#
# Every order of year one, summed. Totals over all years would mix in the history.
# </details>

# %% [markdown]
# **Exercise 2.** Which rep (`rep_id`) owns the most buying customers (layer `customer`)?

# %% exercise={"id": "q2", "wrong": "answer_q2 = crm.customers['rep_id'].value_counts().idxmin()"}
# %%needs --exercise customers.rep_id
answer_q2 = None
q2(answer_q2)

# %% [markdown] solution="q2"
# <details><summary>Solution</summary>
#
# ```python
# buyers = crm.customers[crm.customers["status_layer"] == "customer"]
# answer_q2 = buyers["rep_id"].value_counts().idxmax()
# ```
# </details>

# %% [markdown]
# **Exercise 3.** On average, how many orders did a customer who bought in year one place that year?

# %% exercise={"id": "q3", "wrong": "answer_q3 = orders_y1[\"order_id\"].nunique() / len(crm.customers)"}
answer_q3 = None
q3(answer_q3)

# %% [markdown] solution="q3"
# <details><summary>Solution</summary>
#
# ```python
# answer_q3 = orders_y1["order_id"].nunique() / orders_y1["customer_id"].nunique()
# ```
#
# Divide by the customers who ordered in year one, not by every organisation in the CRM.
# </details>

# %% [markdown]
# ## Next
#
# Lesson 1 starts with the customer: what they need and who they are.
