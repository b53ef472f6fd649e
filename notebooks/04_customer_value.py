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
# # 4. Customer value: retention economics, lifetime value and RFM (客户价值)
#
# What is a customer worth? Not this year's order, but the margin of every year they
# stay with us. That makes the **retention rate** (客户保持率) the lever with the
# largest effect on value, larger than most people expect. This lesson puts a number
# on a customer's future, shows why a few points of retention move it so much, and
# then scores every customer on recency, frequency and money (RFM) to decide whom to
# keep, grow or win back.
#
# **In this lesson you will**
#
# * compute retention-based customer lifetime value (客户终身价值, CLV), with and without a horizon;
# * measure our own retention rate and yearly margin per customer from the orders;
# * reproduce the source's retention table (+5 points of retention → +35 % to +95 % of value)
#   and see the mechanism behind it;
# * build the RFM summary of every customer, score it and sort customers into eight segments.
# * estimate each customer's probability of still buying and predicted value (BG/NBD and
#   Gamma-Gamma), check the model on a holdout and draw up the early-warning call list (客户流失预警).

# %% [markdown]
# ## Where the data comes from
#
# The orders of our fictional cost-estimation software vendor; `DATA = None` uses the
# bundled data, or put the path of your own CRM export in quotes, with its `MAPPING`
# file if its columns carry your own names (see lesson 0). Everything here needs only
# customer, date and amount; the margin uses the orders' cost when they carry it.

# %% tags=["parameters"]
DATA = None     # None: the bundled data (or $CUSTLIB_DATA); or "/path/to/your/export", a folder or one file
MAPPING = None  # None: columns already named as in the input contract (or $CUSTLIB_MAPPING); or "/path/to/mapping.toml"
AS_OF = None    # None: the analysis date stated with the data, else its last dated row; or "2025-12-31"

# %%
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, PercentFormatter

from custlib import course, period
from custlib.course.exercises import Check
from custlib.money import label, money, short, symbol
from custlib.plotting import format_table
from custlib.course import what_if
from custlib.course.sections import needs  # also registers %%needs
from custlib.value import (RFM_SEGMENTS, clv_finite, clv_perpetual, reichheld_table,
                           retention_uplift_effect, rfm_scores, rfm_segments, rfm_summary)

# the course's chart style, the data, and the analysis window: the last 12 months
# up to the analysis date (分析日期), both ends included
crm, (YEAR_START, AS_OF) = course.setup(DATA, MAPPING, AS_OF)
orders = crm.orders[crm.orders["order_date"] <= AS_OF]
last12 = period.in_window(orders, YEAR_START, AS_OF)
print(f"{orders['order_id'].nunique():,} orders up to {AS_OF.date()}; {last12['customer_id'].nunique():,} "
      f"customers bought in the last 12 months")

# %% [markdown]
# ## 1. Lifetime value from retention (客户终身价值)
#
# Think of a customer as a stream of yearly margins. Three numbers describe the stream:
#
# * the **margin** $m$ (毛利, CNY a year) the customer leaves after the cost of serving them;
# * the **retention rate** $r$ (客户保持率): the chance a customer of this year is still
#   a customer next year;
# * the **discount rate** $d$ (折现率): a yuan next year is worth $1/(1+d)$ yuan today.
#
# A customer still with us after $t$ years (probability $r^t$) pays $m$ at the end of
# that year. Adding up the expected, discounted margins gives the lifetime value, over
# a horizon of $T$ years or for ever:
#
# $$\text{CLV}_T = \sum_{t=1}^{T} \frac{m\,r^t}{(1+d)^t},
# \qquad
# \text{CLV} = \sum_{t=1}^{\infty} \frac{m\,r^t}{(1+d)^t} = \frac{m\,r}{1+d-r}.$$
#
# A worked example: $m$ = ¥1,000, $r$ = 0.80, $d$ = 0.10 gives
# ¥1,000 × 0.8 / 0.3 = ¥2,667. The horizon version creeps up to that figure.

# %%
assert round(clv_perpetual(1_000, 0.80, 0.10), 2) == 2_666.67       # 1,000 × 0.8 / 0.3
assert round(clv_finite(1_000, 0.80, 0.10, 1), 2) == 727.27          # first year: 1,000 × 0.8 / 1.1
horizons = pd.DataFrame(index=pd.Index([1, 2, 3, 5, 10, 20, 50], name="horizon T (years)"))
horizons["CLV_T (CNY)"] = [clv_finite(1_000, 0.80, 0.10, t) for t in horizons.index]
horizons["share of CLV"] = horizons["CLV_T (CNY)"] / clv_perpetual(1_000, 0.80, 0.10)
assert horizons["share of CLV"].iloc[-1] > 0.999   # 50 years is "for ever"
format_table(horizons)

# %% [markdown]
# ### Our retention rate and margin
#
# Cut the order history into 12-month years counted back from the analysis date (the
# windows of `custlib.period`). The retention rate of a year is
#
# $$r = \frac{\text{customers of year } t \text{ who buy again in year } t+1}{\text{customers of year } t},$$
#
# and we pool all the years of history into one rate. The margin is the last 12
# months' revenue minus cost, per buying customer.

# %%
# years_back: 0 = the last 12 months up to AS_OF, 1 = the 12 before, ... (-1: after AS_OF)
years_back = period.windows_back(orders["order_date"], AS_OF)
buyers = pd.DataFrame({"customer_id": orders["customer_id"], "years_back": years_back}).drop_duplicates()
next_year = buyers.assign(years_back=buyers["years_back"] + 1)   # a purchase one year later, moved back
flow = buyers[buyers["years_back"] >= 1].merge(next_year, on=["customer_id", "years_back"],
                                              how="left", indicator=True)
flow["stayed"] = flow["_merge"] == "both"
by_year = flow.groupby("years_back")["stayed"].agg(customers="size", bought_next_year="sum")
by_year["retention"] = by_year["bought_next_year"] / by_year["customers"]
by_year.index = pd.Index([str(period.window(AS_OF, back=k)[1].date()) for k in by_year.index],
                         name="12 months to")

retention = float(flow["stayed"].mean()) if len(flow) else 0.80   # 0.80 if under two years of data
retention = min(retention, 0.99)   # the formula needs r < 1
if last12["cost"].notna().all():
    margin = float((last12["amount"] - last12["cost"]).sum() / last12["customer_id"].nunique())
else:
    margin = float(last12["amount"].sum() / last12["customer_id"].nunique())
    print("the orders carry no cost: revenue stands in for margin (an upper bound)")
clv_ours = clv_perpetual(margin, retention, 0.10)
print(f"retention r = {retention:.1%}, margin m = {money(margin)} a year per customer")
print(f"expected customer lifetime 1 / (1 − r) = {1 / (1 - retention):.0f} years")
print(f"CLV at d = 10 %: {money(clv_ours)}  (10-year horizon: {money(clv_finite(margin, retention, 0.10, 10))})")
format_table(by_year.iloc[::-1])

# %%
r_grid = np.linspace(0.0, 0.98, 99)
fig, ax = plt.subplots()
ax.plot(r_grid, clv_perpetual(margin, r_grid, 0.10), lw=3, label="for ever, m r / (1 + d − r)")
ax.plot(r_grid, clv_finite(margin, r_grid, 0.10, 10), label="10-year horizon")
ax.plot(r_grid, clv_finite(margin, r_grid, 0.10, 5), label="5-year horizon")
ax.scatter([retention], [clv_ours], s=90, color="#d62728", zorder=3, label="our customers")
ax.yaxis.set_major_formatter(FuncFormatter(short))
ax.xaxis.set_major_formatter(PercentFormatter(1))
ax.set_title("Lifetime value against retention (客户终身价值 vs 保持率)")
ax.set_xlabel("yearly retention rate r (客户保持率)")
ax.set_ylabel(label("CLV per customer"))
ax.legend(loc="upper left")
plt.show()


# %% [markdown]
# The curve is flat on the left and steep on the right: going from 50 % to 60 %
# retention adds little, going from 85 % to 95 % multiplies the value. Below 1 the
# denominator $1 + d - r$ shrinks towards $d$ as $r$ rises, and every point of
# retention gained there counts more than the last.
#
# **What a manager does with this.** The CLV is a ceiling on what it is worth to win
# or to keep a customer: an acquisition campaign that costs more per customer won
# than the CLV of the customers it brings destroys value. It also turns service into
# money: a programme that keeps a few more customers a year can be priced against the
# value it saves.

# %% [markdown]
# ### Try it: retention, discount rate and margin
#
# Move the sliders: the curve and the red point follow, and the line below gives the
# value and what five more points of retention would add.

# %%
def clv_what_if(retention=0.80, discount_rate=0.10, margin=1_000):
    grid = np.linspace(0.0, 0.98, 99)
    value = clv_perpetual(margin, retention, discount_rate)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.plot(grid, clv_perpetual(margin, grid, discount_rate), lw=3, label="for ever")
    ax.plot(grid, clv_finite(margin, grid, discount_rate, 10), label="10-year horizon")
    ax.scatter([retention], [value], s=90, color="#d62728", zorder=3, label="this customer")
    ax.yaxis.set_major_formatter(FuncFormatter(short))
    ax.xaxis.set_major_formatter(PercentFormatter(1))
    ax.set_title("CLV against retention (客户终身价值)")
    ax.set_xlabel("retention rate r (客户保持率)")
    ax.set_ylabel(label("CLV"))
    ax.legend(loc="upper left")
    plt.show()
    line = f"CLV {money(value)}; 10 years {money(clv_finite(margin, retention, discount_rate, 10))}"
    if retention + 0.05 < 1:
        line += f"; +5 points of retention: {retention_uplift_effect(retention, 0.05, discount_rate):+.0%}"
    print(line)


what_if(clv_what_if,
        retention=widgets.FloatSlider(value=0.80, min=0.0, max=0.98, step=0.01, readout_format=".0%",
                                      description="retention r"),
        discount_rate=widgets.FloatSlider(value=0.10, min=0.0, max=0.30, step=0.01, readout_format=".0%",
                                          description="discount d"),
        margin=widgets.FloatSlider(value=1_000, min=100, max=10_000, step=100, readout_format=",.0f",
                                   description=f"margin {symbol()}"));

# %% [markdown]
# ## 2. Why +5 points of retention matter so much (客户保持率增长5%与顾客净现值)
#
# The source carries a table that surprises every sales team: raise customer retention
# by five percentage points, and the net present value (净现值) of a customer rises by
# 35 % in software and by up to 95 % in advertising agencies. The figures are F.
# Reichheld's (*The Loyalty Effect*, 1996).

# %%
table = reichheld_table()
assert table["npv_increase"].tolist() == [0.95, 0.90, 0.85, 0.85, 0.84, 0.81, 0.75,
                                          0.50, 0.45, 0.45, 0.40, 0.35]
assert table.loc["advertising agency", "npv_increase"] == 0.95
assert table.loc["credit card", "npv_increase"] == 0.75
assert table.loc["software", "npv_increase"] == 0.35          # our own industry

fig, ax = plt.subplots(figsize=(10, 6))
names = [f"{i} ({z})" for i, z in zip(table.index, table["industry_zh"])]
colours = ["#d62728" if i == "software" else "#2171b5" for i in table.index]
bars = ax.barh(names[::-1], table["npv_increase"].to_numpy()[::-1], color=colours[::-1])
ax.bar_label(bars, labels=[f"{v:.0%}" for v in table["npv_increase"].to_numpy()[::-1]], padding=3)
ax.xaxis.set_major_formatter(PercentFormatter(1))
ax.set_title("+5 points of retention: rise in customer value")
ax.set_xlabel("increase in net present value per customer (净现值增长)")
plt.show()
format_table(table, percent="npv_increase")

# %% [markdown]
# **The mechanism.** With the lifetime value of section 1, the relative rise from a
# retention gain $u$ is
#
# $$\frac{\text{CLV}(r+u)}{\text{CLV}(r)} - 1 = \frac{(r+u)\,(1+d-r)}{r\,(1+d-r-u)} - 1 .$$
#
# The margin cancels: the effect depends only on where retention already is. A customer
# kept with probability $r$ stays $1/(1-r)$ years on average: 2 years at 50 %, 5 years
# at 80 %, 10 years at 90 %, 20 years at 95 %. Five points added near the top stretch
# the expected lifetime far more than five points added in the middle.
#
# (The formula is a *relative* rise, and it also grows again at very low retention:
# from 5 % to 10 % retention doubles a value that is close to nothing. Businesses
# that keep fewer than half of their customers are not what the table is about, so
# we look at retention from 50 % up.)

# %%
rates = np.array([0.50, 0.60, 0.70, 0.80, 0.85, 0.90])
mechanism = pd.DataFrame({"retention r": rates,
                          "expected lifetime (years)": 1 / (1 - rates),
                          "value rise from +5 points": retention_uplift_effect(rates, 0.05, 0.10)})
assert (np.diff(mechanism["value rise from +5 points"]) > 0).all()   # higher r, bigger effect
assert round(retention_uplift_effect(0.80, 0.05, 0.10), 3) == 0.275  # (0.85/0.25) / (0.8/0.3) − 1

# the retention at which the simple model gives the software figure of the table (+35 %)
grid = np.round(np.arange(50, 95) / 100, 2)   # 50 %, 51 %, ..., 94 %
effect = retention_uplift_effect(grid, 0.05, 0.10)
r_software = float(grid[effect >= table.loc["software", "npv_increase"]].min())
assert 0.80 < r_software <= 0.90
# with a constant margin the model cannot reach the top of the table
assert effect.max() < table["npv_increase"].max()
print(f"+5 points give +35 % from a retention of {r_software:.0%} (d = 10 %); "
      f"the constant-margin model tops out at +{effect.max():.0%}")
format_table(mechanism, percent="value rise from +5 points")

# %%
fig, ax = plt.subplots()
ax.plot(grid, effect, lw=3, label="model: CLV(r + 5 points) / CLV(r) − 1, d = 10 %")
for industry, style in [("software", "--"), ("industrial distribution", ":"), ("industrial brokerage", "-.")]:
    y = table.loc[industry, "npv_increase"]
    ax.axhline(y, ls=style, color="grey")
    ax.text(0.505, y + 0.005, f"{industry} ({table.loc[industry, 'industry_zh']}) {y:.0%}", fontsize=12)
ax.axvline(r_software, color="#d62728", lw=1)
ax.annotate(f"+35 % from\nr = {r_software:.0%}", (r_software, 0.35), (r_software + 0.01, 0.24),
            arrowprops={"arrowstyle": "->", "color": "#d62728"}, color="#d62728")
ax.xaxis.set_major_formatter(PercentFormatter(1, decimals=0))
ax.yaxis.set_major_formatter(PercentFormatter(1, decimals=0))
ax.set_title("The same 5 points are worth more when retention is high")
ax.set_xlabel("current retention rate r (客户保持率)")
ax.set_ylabel("rise in customer value")
ax.legend(loc=(0.02, 0.35))
plt.show()

# %% [markdown]
# The simple model reaches the software figure at a retention in the high 80s, a
# plausible rate for a software vendor. The larger figures of banks or insurers need
# more than a longer life: a customer who stays also buys more each year, costs less
# to serve and refers others (the components of lifetime profit of lesson 2), so the
# margin itself grows with tenure.
#
# Our customers already stay most years; for us the same arithmetic read backwards says
# what letting retention slip five points would cost.

# %%
if retention >= 0.10:
    lost = 1 - clv_perpetual(1.0, retention - 0.05, 0.10) / clv_perpetual(1.0, retention, 0.10)
    print(f"at our retention of {retention:.1%}, losing 5 points would cut a customer's value by {lost:.0%}")
if retention + 0.05 < 1:
    print(f"gaining 5 points would raise it by {retention_uplift_effect(retention, 0.05, 0.10):.0%}")

# %% [markdown]
# **What a manager does with this.** In a business where most customers stay, the
# cheapest growth is not losing anyone: the visits, training and events that keep the
# installed base are an investment, and a churn signal from a large customer deserves
# the same urgency as a new deal. Track the retention rate every year next to revenue.

# %% [markdown]
# ## 3. RFM: recency, frequency, money (RFM分析)
#
# Lifetime value looks forward; **RFM** looks at what each customer has done, using
# nothing but the orders. Three numbers per customer:
#
# * **R, recency** (最近一次购买): how long since the last purchase. Here
#   `rfm_summary` follows the `lifetimes` package: `recency` is the days from the first to
#   the last purchase day and `T` the days from the first purchase to the snapshot, so
#   the days since the last purchase are $T - \text{recency}$;
# * **F, frequency** (购买频率): repeat purchase days, i.e. distinct days with an order, minus one;
# * **M, monetary value** (购买金额): average amount of a repeat purchase day (CNY).
#
# Each is turned into a score from 1 to 5 by quintile (5 = most recent, most frequent,
# most spent):
#
# $$\text{score} = \left\lceil 5 \times \text{percentile rank} \right\rceil .$$
#
# A score of 3 or more counts as *high*; high or low on each of R, F, M gives eight
# segments, from important value customers (重要价值客户, high on all three) to general
# win-back customers (一般挽留客户, low on all three).

# %%
summary = rfm_summary(orders, as_of=AS_OF)
scores = rfm_scores(summary)
segments = rfm_segments(scores)
format_table(summary.join(scores).head(), money="monetary_value")

# %%
rev_all = orders.groupby("customer_id")["amount"].sum()
rev_12 = last12.groupby("customer_id")["amount"].sum().reindex(segments.index, fill_value=0)
seg = RFM_SEGMENTS[["segment_zh", "action"]].copy()
seg["customers"] = segments.value_counts().reindex(seg.index, fill_value=0)
seg["revenue, all years"] = rev_all.reindex(segments.index).groupby(segments, observed=False).sum()
seg["revenue, last 12 months"] = rev_12.groupby(segments, observed=False).sum()
seg["share of last 12 months"] = seg["revenue, last 12 months"] / seg["revenue, last 12 months"].sum()
assert seg["customers"].sum() == len(summary) == orders["customer_id"].nunique()
format_table(seg, money=["revenue, all years", "revenue, last 12 months"])

# %%
labels = [f"{s.replace('_', ' ')}\n{z}" for s, z in zip(seg.index, seg["segment_zh"])][::-1]
fig, (left, right) = plt.subplots(1, 2, figsize=(13, 6), sharey=True)
left.barh(labels, seg["customers"].to_numpy()[::-1], color="#9ecae1")
left.set_title("Customers per RFM segment")
left.set_xlabel("customers")
right.barh(labels, seg["revenue, last 12 months"].to_numpy()[::-1], color="#2171b5")
right.xaxis.set_major_formatter(FuncFormatter(short))
right.set_title("Revenue, last 12 months")
right.set_xlabel(label("revenue"))
fig.suptitle("RFM segments (RFM客户细分)", fontsize=18)
plt.show()

# %% [markdown]
# **What a manager does with this.** The segments are a work list. *Important
# retain* customers (重要保持客户: valuable, frequent, but not seen lately) get a visit
# this month, before they become *important win-back* customers (重要挽留客户), who
# need the senior rep and a reason to come back. *Important develop* customers bought
# big but rarely: offer the next product. The *general* segments are served at low
# cost, by calls and events.

# %% [markdown]
# ## Your turn
#
# Four exercises. Replace `None` with your code and run the cell: the check says
# *correct*, or *not yet* with what is off. Hidden solutions follow each one.

# %%
q1 = Check("Exercise 1", lambda: float(clv_finite(margin, retention, 0.08, 10)),
           hint="clv_finite(margin, retention, discount_rate, years) with the lesson's margin and retention")
q2 = Check("Exercise 2", lambda: float(clv_perpetual(1_000, 0.85, 0.10) - clv_perpetual(1_000, 0.80, 0.10)), hint="the CLV at 85 % minus the CLV at 80 %, both for ever")
q3 = Check("Exercise 3", lambda: float(grid[retention_uplift_effect(grid, 0.05, 0.10) >= 0.45].min()), hint="compute the effect on `grid` (50 % to 94 %) and keep the smallest retention where it is at least 0.45")
q4 = Check("Exercise 4", lambda: float(rev_12[segments == "important_value"].sum() / rev_12.sum()), hint="revenue of the last 12 months (rev_12) of the important_value customers over the total")

# %% [markdown]
# **Exercise 1.** Finance values customers at an 8 % discount rate and over a 10-year horizon. With our `margin` and `retention` from section 1, what is the lifetime value of an average customer (in the data's currency)?

# %% exercise={"id": "q1", "wrong": "answer_q1 = clv_perpetual(margin, retention, 0.08)"}
answer_q1 = None
q1(answer_q1)

# %% [markdown] solution="q1"
# <details><summary>Solution</summary>
#
# ```python
# answer_q1 = clv_finite(margin, retention, 0.08, 10)
# ```
#
# A horizon cuts off the tail of the stream: with a high retention rate much of the value lies beyond year 10, so the 10-year figure is well below the perpetual one.
# </details>

# %% [markdown]
# **Exercise 2.** A care programme would lift retention from 80 % to 85 % for customers who bring ¥1,000 of margin a year (d = 10 %). What is it worth per customer, in CNY today? (That is the most it may cost.)

# %% exercise={"id": "q2", "wrong": "answer_q2 = 1_000 * 0.05"}
answer_q2 = None
q2(answer_q2)

# %% [markdown] solution="q2"
# <details><summary>Solution</summary>
#
# ```python
# answer_q2 = clv_perpetual(1_000, 0.85, 0.10) - clv_perpetual(1_000, 0.80, 0.10)
# ```
#
# ¥3,400 − ¥2,667 = ¥733: five points of retention are worth about three-quarters of a year's margin, not 5 % of it.
# </details>

# %% [markdown]
# **Exercise 3.** Industrial distribution gains 45 % from +5 points of retention. At d = 10 %, from which current retention rate on `grid` (0.50, 0.51, …, 0.94) does the simple model give at least +45 %?

# %% exercise={"id": "q3", "wrong": "answer_q3 = 0.45"}
answer_q3 = None
q3(answer_q3)

# %% [markdown] solution="q3"
# <details><summary>Solution</summary>
#
# ```python
# effect = retention_uplift_effect(grid, 0.05, 0.10)
# answer_q3 = float(grid[effect >= 0.45].min())
# ```
#
# The effect rises with retention, so the first grid point that reaches 0.45 is the answer: a retention in the low 90s.
# </details>

# %% [markdown]
# **Exercise 4.** What share of the last 12 months' revenue comes from the important value customers (重要价值客户)? Answer as a fraction.

# %% exercise={"id": "q4", "wrong": "answer_q4 = float((segments == 'important_value').mean())"}
answer_q4 = None
q4(answer_q4)

# %% [markdown] solution="q4"
# <details><summary>Solution</summary>
#
# ```python
# answer_q4 = float(rev_12[segments == "important_value"].sum() / rev_12.sum())
# ```
#
# About a third of the customers bring most of the revenue; the wrong answer gives their share of customers instead of revenue.
# </details>

# %% [markdown]
# ## 4. Who is slipping away: early warning (客户流失预警)
#
# A customer rarely tells us they have left: they just stop ordering. The lifecycle
# stages of lesson 2 and the RFM scores of section 3 describe what customers *have
# done*. The decline stage (客户衰退, 衰退期) asks for more: an **early warning**
# (客户流失预警) that names the valuable customers who are probably drifting away
# while there is still time to call them. This section builds that warning from the
# same three RFM numbers, with a model of how customers buy and how they quietly stop.

# %% [markdown]
# ### 4.1 The idea: buying at one's own pace, then stopping for good
#
# Silence means different things for different customers. Three months without an
# order is normal for a customer who buys twice a year, and alarming for one who
# ordered every other week. To weigh a silence against the customer's own rhythm we
# need a model of buying and dropping out. The **BG/NBD** model (Fader, Hardie & Lee
# 2005) tells the story in two parts:
#
# * while still active, a customer buys at a steady pace of their own, $\lambda$
#   purchases a day; across customers the pace follows a Gamma distribution with
#   parameters $r$ and $\alpha$;
# * after each repeat purchase the customer may drop out for good, with a probability
#   $p$ of their own; across customers $p$ follows a Beta distribution with parameters
#   $a$ and $b$.
#
# Nobody sees the moment a customer drops out. But from the RFM summary (frequency
# $x$ repeat purchase days, the last at age $t_x$ = `recency`, observed for $T$ days)
# the model gives each customer's **probability alive** (活跃概率), the chance they
# are still buying:
#
# $$P(\text{alive} \mid x, t_x, T) = \frac{1}{1 + \dfrac{a}{b + x - 1}\left(\dfrac{\alpha + T}{\alpha + t_x}\right)^{r + x}} \qquad (x > 0),$$
#
# and 1 for a customer without a repeat purchase (in the model one drops out only just
# after a repeat purchase). The ratio $(\alpha+T)/(\alpha+t_x)$ grows with the silence
# $T - t_x$, and the power $r + x$ makes it grow faster for a customer who bought
# often: a long silence from a frequent buyer is the alarm. The model also gives the
# purchases to expect in the next $t$ days, $E[Y(t) \mid x, t_x, T]$ (a longer formula,
# `bgnbd_expected_purchases`), already weighted by the probability alive.
#
# What each purchase will bring comes from a second model, **Gamma-Gamma**: a
# customer's expected spend per purchase is a weighted mean of their own average
# $\bar m$ over $x$ repeat purchases and the average of all customers,
#
# $$E[M \mid x, \bar m] = \frac{q - 1}{p x + q - 1}\cdot\frac{p v}{q - 1} + \frac{p x}{p x + q - 1}\,\bar m ,$$
#
# so the more purchases we have seen, the more we trust the customer's own average.
# Together they give the **predicted value** (预测价值) over the next $H$ months: the
# purchases expected in month $i$, valued at the spend per purchase and discounted at
# the monthly rate $d$,
#
# $$\text{CLV}_H = \sum_{i=1}^{H} \frac{E[M]\,\bigl(E[Y(30\,i)] - E[Y(30\,(i-1))]\bigr)}{(1+d)^{i}} .$$
#
# $d$ is the monthly equivalent of the 10 % a year of section 1, $1.10^{1/12} - 1$,
# about 0.8 % a month (`PREDICT.discount_rate`), and $H$ = 12 months by default
# (`PREDICT.months`). One difference from section 1: this value is *revenue*, not
# margin, and it looks one horizon ahead, not for ever.

# %% [markdown]
# ### 4.2 Fitting the two models to our customers
#
# Both models are fitted by maximum likelihood to the RFM summary of every customer
# (`rfm_summary` of section 3, time in days). The buying and dropping-out part learns
# only from customers who came back at least once, so a young or small export may not
# hold enough of them; the cell then says so and the rest of the section stands down.

# %%
# %%needs orders
from custlib.predict import (PREDICT, ConvergenceError, at_risk, bgnbd_expected_purchases,
                             bgnbd_fit, bgnbd_p_alive, gamma_gamma_expected_spend,
                             gamma_gamma_usable, holdout_check, own_mean_spend, predicted_clv)

rfm = rfm_summary(crm.orders, as_of=AS_OF)    # frequency, recency, T (days), monetary_value
repeat = rfm[rfm["frequency"] > 0]
NO_MODEL = "No model on this data (see 4.2): nothing to show here."
bg = gg = None
try:
    bg = bgnbd_fit(rfm["frequency"], rfm["recency"], rfm["T"])
except ConvergenceError as err:
    print(f"The buying model did not converge on this data ({err}).")
except ValueError:
    print(f"The data has too few repeat customers for the model: {len(repeat):,}, and it needs "
          f"at least {PREDICT.min_repeat_customers}.")

if bg is not None:
    # the spend model only where the data suit it; else each customer's own mean spend
    gg, why_not = gamma_gamma_usable(repeat["frequency"], repeat["monetary_value"])
    SPEND = "Gamma-Gamma" if gg is not None else "own mean spend"
    print(f"{len(repeat):,} of {len(rfm):,} customers bought again.")
    if gg is None:
        print(f"Gamma-Gamma not used: {why_not}.")

# %%
# %%needs orders
if bg is None:
    print(NO_MODEL)
else:
    days_a_year = 365 * bg["r"] / bg["alpha"]
    meaning = {
        "r": "Shape of the buying pace across customers: the smaller r, the more customers "
             "differ in how often they buy.",
        "α (days)": f"Scale of that pace: an active customer buys on r / α of the days, on "
                    f"average {days_a_year:.1f} purchase days a year.",
        "a": f"With b, the chance of dropping out after a purchase, different for each "
             f"customer: on average a / (a + b) = {bg['a'] / (bg['a'] + bg['b']):.2%}.",
        "b": "The larger a + b, the more alike customers are in that chance.",
    }
    estimates = dict(bg)
    if gg is not None:
        meaning.update({
            "p": "Shape of one customer's purchase amounts: the larger p, the steadier a "
                 "customer's spend from one purchase to the next.",
            "q": "Shape of the spend levels across customers (q ≤ 1 would make their mean infinite).",
            "v": f"Scale of those levels: the average spend per purchase is p v / (q − 1) = "
                 f"{money(gg['p'] * gg['v'] / (gg['q'] - 1))}.",
        })
        estimates.update(gg)
    params = pd.DataFrame({"estimate": list(estimates.values())},
                          index=pd.Index([f"{k}: {m}" for k, m in meaning.items()],
                                         name="parameter: what it means"))
    display(format_table(params, decimals={"estimate": 3}))

# %% [markdown]
# Read the table from the bottom of the story up: $a/(a+b)$ is how likely a customer is
# to leave after any one purchase, and $r/\alpha$ how often an active customer buys.
# A tiny drop-out chance says that, in this history, hardly anyone seems to leave:
# the warning list below will then be short, and that is an answer too.

# %% [markdown]
# ### 4.3 The picture: probability alive against frequency and silence
#
# Fix a customer's age at the typical $T$ of our repeat customers and vary the other
# two numbers: how many repeat purchase days they had, and how long ago the last one
# was ($T -$ `recency`, the recency R of section 3). The map is computed on a grid, so
# it costs the same for a thousand customers or a million; the bars on the right count
# our customers by their own probability alive.

# %%
# %%needs orders
if bg is None:
    print(NO_MODEL)
else:
    p_alive = bgnbd_p_alive(bg, rfm["frequency"], rfm["recency"], rfm["T"])   # one per customer
    T_typical = float(repeat["T"].median())
    x_top = max(5, int(repeat["frequency"].quantile(0.95)))
    freq_grid = np.arange(1, x_top + 1)
    silence_grid = np.linspace(0, T_typical, 60)
    X, S = np.meshgrid(freq_grid, silence_grid, indexing="ij")
    alive_map = bgnbd_p_alive(bg, X.ravel(), T_typical - S.ravel(), T_typical).reshape(X.shape)

    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 5.5), width_ratios=[3, 2], layout="constrained")
    mesh = left.pcolormesh(silence_grid, freq_grid, alive_map, cmap="RdYlGn", vmin=0, vmax=1, shading="nearest")
    lines = left.contour(silence_grid, freq_grid, alive_map, levels=[PREDICT.at_risk_p_alive], colors="black",
                         linestyles="--")
    left.clabel(lines, fmt=lambda v: f"{v:.0%} alive", fontsize=12)
    fig.colorbar(mesh, ax=left, format=PercentFormatter(1), label="probability alive")
    left.set_title(f"Probability alive (活跃概率) at T = {T_typical:,.0f} days")
    left.set_xlabel("days since the last purchase, T − recency")
    left.set_ylabel("repeat purchase days, frequency")
    left.grid(False)

    counts = np.histogram(p_alive, bins=np.linspace(0, 1, 11))[0]      # ten bands of 10 points
    bars = right.barh([f"{10 * i}–{10 * i + 10} %" for i in range(10)], counts, color="#6baed6")
    right.bar_label(bars, labels=[f"{n:,}" for n in counts], padding=3)
    right.set_title("Our customers by probability alive")
    right.set_xlabel("customers")
    plt.show()
    print(f"{int((p_alive < PREDICT.at_risk_p_alive).sum()):,} of {len(rfm):,} customers have a probability "
          f"alive below {PREDICT.at_risk_p_alive:.0%}")

# %% [markdown]
# The map reads like a manager's intuition made exact. Going right (a longer silence)
# the colour turns from green to red, and it turns sooner the higher the row: a customer
# with many purchases who stops is more suspicious than one who rarely bought. Left of
# the dashed line the model still counts on the customer; right of it, it does not.

# %% [markdown]
# ### 4.4 The manager's call list
#
# Not every customer at risk is worth a visit. `at_risk` keeps those whose probability
# alive is below `PREDICT.at_risk_p_alive` (50 %) **and** whose value *if* they are still
# active is in the top `PREDICT.value_share` (20 %) of all customers: the 20 of 20/80.
# It sorts them by the value at stake, $(1 - P(\text{alive}))$ × value if alive, the
# revenue expected to be lost if nobody calls.

# %%
# %%needs orders
if bg is None:
    print(NO_MODEL)
else:
    clv = predicted_clv(bg, gg, rfm["frequency"], rfm["recency"], rfm["T"], rfm["monetary_value"])
    calls = at_risk(rfm, bg, gg)
    print(f"predicted value (预测价值) of all {len(rfm):,} customers over the next {PREDICT.months} months: "
          f"{money(clv.sum())} (spend per purchase: {SPEND})")
    n_low = int((p_alive < PREDICT.at_risk_p_alive).sum())
    if calls.empty:
        print(f"The call list is empty on this data: {n_low:,} customer(s) have a probability alive below "
              f"{PREDICT.at_risk_p_alive:.0%}" + (f", none of them in the top {PREDICT.value_share:.0%} by "
                                                  "value." if n_low else "."))
    else:
        print(f"{len(calls):,} customers on the call list, {money(calls['value_at_risk'].sum())} of value at "
              f"stake; the first ten:")
        shown = calls.head(10)
        if crm.customers is not None and "customer_name" in crm.customers:   # who to call
            names = crm.customers.set_index("customer_id")["customer_name"]
            shown = shown.join(names.astype(str)).iloc[:, [-1, *range(len(shown.columns))]]
        display(format_table(shown, percent="p_alive",
                             money=["predicted_clv", "value_if_alive", "value_at_risk"]))

# %% [markdown]
# ### 4.5 Before trusting it: the holdout check
#
# A model that fits the past can still forecast badly. The test an analyst runs first is
# a **holdout**: pretend it is a year ago, fit the model on the orders up to then (the
# calibration period), forecast each customer's purchases in the last 12 months, and
# compare with what they actually bought. The bars compare the averages by calibration
# frequency, the check of the BG/NBD paper; the table gives the errors per customer
# next to a naive forecast (each customer's past pace carried forward).

# %%
# %%needs orders
_, CALIBRATION_END = period.window(AS_OF, back=1)   # the calibration ends where the last 12 months start
check = None
if bg is None:
    print(NO_MODEL)
else:
    try:
        check = holdout_check(orders, CALIBRATION_END, AS_OF)
    except ValueError as err:
        print(f"No holdout check on this data: {err}.")
if check is not None:
    by = check.by_frequency
    pos = np.arange(len(by))
    fig, ax = plt.subplots(figsize=(10, 5))
    ax.bar(pos - 0.2, by["predicted"], 0.4, color="#2171b5", label="predicted by the model")
    ax.bar(pos + 0.2, by["actual"], 0.4, color="#fdae6b", label="actual")
    ax.set_xticks(pos, by.index)
    ax.set_title(f"Holdout: purchases in the {check.holdout_days} days after {CALIBRATION_END.date()}")
    ax.set_xlabel("repeat purchase days in the calibration period")
    ax.set_ylabel("purchase days per customer")
    ax.legend(loc="upper left")
    plt.show()
    errors = pd.Series({"customers of the calibration period": len(check.table),
                        "mean absolute error, model (purchases)": check.mae,
                        "mean absolute error, naive forecast": check.baseline_mae,
                        "root mean squared error, model": check.rmse,
                        "purchases predicted, all customers": check.predicted_total,
                        "purchases made, all customers": check.actual_total,
                        "new customers of the holdout (not predicted)": check.new_customers},
                       name="holdout check")
    verdict = "beats" if check.mae < check.baseline_mae else "does not beat"
    print(f"the model {verdict} the naive forecast and predicts {check.ratio:.0%} of the purchases made")
    display(format_table(errors))

# %% [markdown]
# Why run it before trusting the model? A fit always looks good on the data it was
# fitted to; only a forecast of purchases it has not seen says whether the model has
# understood the buying rhythm or merely memorised it. The holdout also shows *where*
# it errs: if the heavy buyers (the right-hand bars) are under-forecast, their predicted
# value and their probability alive are too pessimistic too, and a call list built on
# them would send reps to customers who were never leaving. And a model that does not
# beat the naive forecast has not earned a place in the manager's meeting.

# %% [markdown]
# ### 4.6 Try it: horizon and discount rate
#
# The sum of 4.1 splits in two: what our customers are expected to spend in each coming
# month (computed once, below) and the weights $1/(1+d)^i$. The cell checks the split
# against `predicted_clv`; then the sliders change the horizon $H$ and the monthly
# discount rate $d$, and the bars show each month's expected revenue, discounted.

# %%
# %%needs orders
MAX_MONTHS = 36
if bg is None:
    print(NO_MODEL)
else:
    days_per_month = dict(PREDICT.months_per_freq)["D"]           # 30 days
    x, t_x, age = (rfm[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    m = rfm["monetary_value"].to_numpy(dtype=float)
    spend = np.asarray(gamma_gamma_expected_spend(gg, x, m) if gg is not None else own_mean_spend(x, m))
    expected = [float(spend @ np.asarray(bgnbd_expected_purchases(bg, days_per_month * i, x, t_x, age)))
                for i in range(MAX_MONTHS + 1)]
    monthly = np.diff(expected)        # all customers: E[M] · (E[Y(30 i)] − E[Y(30 (i − 1))]), month i
    months_ahead = np.arange(1, MAX_MONTHS + 1)

    def total_value(months, discount_rate):
        return float((monthly[:months] / (1 + discount_rate) ** months_ahead[:months]).sum())

    assert np.isclose(total_value(PREDICT.months, PREDICT.discount_rate), clv.sum())   # the same sum

    def horizon_what_if(months=PREDICT.months, discount_rate=PREDICT.discount_rate):
        value = monthly / (1 + discount_rate) ** months_ahead
        fig, ax = plt.subplots(figsize=(10, 4.5))
        ax.bar(months_ahead, value, color=np.where(months_ahead <= months, "#2171b5", "#d9d9d9"))
        ax.yaxis.set_major_formatter(FuncFormatter(short))
        ax.set_title(f"Predicted value (预测价值): the next {months} months in blue")
        ax.set_xlabel("month ahead")
        ax.set_ylabel(label("expected revenue, discounted"))
        plt.show()
        total = total_value(months, discount_rate)
        print(f"{money(total)} over {months} months at {discount_rate:.2%} a month "
              f"({(1 + discount_rate) ** 12 - 1:.1%} a year): {money(total / len(rfm))} per customer")

    step = 0.0005                                             # 0.05 % a month
    below = int(PREDICT.discount_rate // step)                # so the slider starts on a step
    what_if(horizon_what_if,
            months=widgets.IntSlider(value=PREDICT.months, min=1, max=MAX_MONTHS, step=1,
                                     description="months H"),
            discount_rate=widgets.FloatSlider(value=PREDICT.discount_rate,
                                              min=PREDICT.discount_rate - below * step,
                                              max=PREDICT.discount_rate + 40 * step, step=step,
                                              readout_format=".2%", description="discount d"))

# %% [markdown]
# The bars shrink month by month for two reasons: the discount, and the customers the
# model expects to drop out on the way. A longer horizon adds less and less, which is
# why the predicted value is quoted with its horizon, and why a discount rate that
# looks small per month (1 % a month is 12.7 % a year) matters over three years.

# %% [markdown]
# ### 4.7 Your turn: early warning
#
# Three exercises on the model of this section; the checks are computed from the data
# the lesson ran on.

# %%
q5 = Check("Exercise 5", lambda: int((p_alive < PREDICT.at_risk_p_alive).sum()),
           hint="p_alive from 4.3, compared with PREDICT.at_risk_p_alive; count the customers below it")
q6 = Check("Exercise 6", lambda: float(predicted_clv(bg, gg, rfm["frequency"], rfm["recency"], rfm["T"],
                                                     rfm["monetary_value"], months=24).sum()),
           hint="predicted_clv(bg, gg, frequency, recency, T, monetary_value, months=24), summed; "
                "the monthly discount rate is the default")
q7 = Check("Exercise 7", lambda: float(clv.nlargest(int(0.2 * len(clv))).sum() / clv.sum()),
           hint="clv.nlargest(int(0.2 * len(clv))) keeps the top 20 %; divide their sum by the total")

# %% [markdown]
# **Exercise 5.** How many customers does the model give a probability alive below the
# at-risk threshold `PREDICT.at_risk_p_alive`? (Compare your answer with the rule of
# thumb "no purchase for a year", `(rfm["T"] - rfm["recency"] > 365).sum()`.)

# %% exercise={"id": "q5", "wrong": "answer_q5 = int((rfm[\"T\"] - rfm[\"recency\"] > 365).sum())"}
answer_q5 = None
q5(answer_q5)

# %% [markdown] solution="q5"
# <details><summary>Solution</summary>
#
# ```python
# answer_q5 = int((p_alive < PREDICT.at_risk_p_alive).sum())
# ```
#
# The rule of thumb treats every customer alike; the model weighs each silence against
# the customer's own pace, so a rare buyer who has been quiet for a year is not yet
# counted as lost.
# </details>

# %% [markdown]
# **Exercise 6.** Finance wants the predicted value of all customers over the next
# **24 months** at the policy's monthly discount rate. What is it (in the data's
# currency)?

# %% exercise={"id": "q6", "wrong": "answer_q6 = float(predicted_clv(bg, gg, rfm[\"frequency\"], rfm[\"recency\"], rfm[\"T\"], rfm[\"monetary_value\"], months=24, discount_rate=0.10).sum())"}
answer_q6 = None
q6(answer_q6)

# %% [markdown] solution="q6"
# <details><summary>Solution</summary>
#
# ```python
# answer_q6 = float(predicted_clv(bg, gg, rfm["frequency"], rfm["recency"], rfm["T"],
#                                 rfm["monetary_value"], months=24).sum())
# ```
#
# The discount rate of `predicted_clv` is *monthly*: passing the yearly 10 % as if it
# were monthly (the plausible slip) would discount two years by a factor of ten.
# </details>

# %% [markdown]
# **Exercise 7.** What share of the total predicted value (`clv`, next 12 months) comes
# from the 20 % of customers with the largest predicted value (the first
# `int(0.2 * len(clv))` of them)? Answer as a fraction. Does the 20/80 rule hold for the
# future too?

# %% exercise={"id": "q7", "wrong": "answer_q7 = float(clv.head(int(0.2 * len(clv))).sum() / clv.sum())"}
answer_q7 = None
q7(answer_q7)

# %% [markdown] solution="q7"
# <details><summary>Solution</summary>
#
# ```python
# top = clv.nlargest(int(0.2 * len(clv)))
# answer_q7 = float(top.sum() / clv.sum())
# ```
#
# Sort first: `clv.head(...)` without `nlargest` takes the first customers by id, not the
# most valuable ones. The 80 % of the rule is a rule of thumb, not a result: here the
# share comes from the model's view of the future rather than the past year's revenue.
# </details>

# %% [markdown]
# ## Next
#
# Lesson 5 groups customers by value, role and relationship, and picks the key
# accounts with the attractiveness × advantage matrix.
