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
# # 3. The customer pyramid, 80/20, concentration and the profit whale curve (客户金字塔, 二八法则)
#
# This lesson ranks the customers by what they bought, draws the **customer pyramid**
# (客户金字塔) that the ranking makes, and measures how much of the business rests on
# the few at its top. A sales team never has enough time for every customer, so it has
# to know which ones carry the business: a handful at the top bring a large slice of
# the revenue, a broad base brings little each. The lesson ends with the harder
# question: which customers bring the *profit*?
#
# **In this lesson you will**
#
# * split the customers into four tiers, by share of customers and by revenue cut-offs;
# * rebuild the source's 2,126-customer pyramid figure for figure;
# * read the 80/20 rule (二八法则) in both directions, draw the Pareto and Lorenz
#   curves and compute the Gini coefficient;
# * sort customers into ABC classes;
# * draw the profit "whale curve" and compare two concentration tables from the
#   source, a retailer and a bank.

# %% [markdown]
# ## Where the data comes from
#
# The orders of our fictional cost-estimation software vendor, with the customer list
# for the layers below the pyramid. `DATA = None` uses the bundled data; put the path
# of your own CRM export in quotes to use yours, with its `MAPPING` file if its columns
# carry your own names (see lesson 0). The pyramid needs only the orders; the profit
# sections also need their cost.

# %% tags=["parameters"]
DATA = None     # None: the bundled data (or $CUSTLIB_DATA); or "/path/to/your/export", a folder or one file
MAPPING = None  # None: columns already named as in the input contract (or $CUSTLIB_MAPPING); or "/path/to/mapping.toml"
AS_OF = None    # None: the analysis date stated with the data, else its last dated row; or "2025-12-31"

# %%
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display
from matplotlib.ticker import PercentFormatter

from custlib import course, period
from custlib.course.exercises import Check
from custlib.money import label, money, symbol
from custlib.plotting import format_table, pareto_chart, pyramid_chart, whale_chart
from custlib.course import money_slider, what_if
from custlib.policy import PYRAMID
from custlib.pyramid import (abc_classes, customer_layers, gini, group_concentration,
                             layer_counts, lorenz_curve, pareto_fraction, thresholds_for,
                             thresholds_note, tier_table, tiers_by_share, tiers_by_threshold,
                             top_share, whale_curve)
from custlib.course.sections import needs  # also registers %%needs

# the course's chart style, the data, and the analysis window: the last 12 months
# up to the analysis date (分析日期), both ends included
crm, (YEAR_START, AS_OF) = course.setup(DATA, MAPPING, AS_OF)
last12 = period.in_window(crm.orders, YEAR_START, AS_OF)
revenue = period.revenue_by_customer(crm.orders, YEAR_START, AS_OF)
revenue = revenue[revenue > 0]   # a customer is anyone who bought in the period
CUTS = thresholds_for(crm)       # the case's cut-offs for the bundled data, else fitted to yours
print(f"{len(revenue):,} customers bought between {YEAR_START.date()} and {AS_OF.date()}, "
      f"for {money(revenue.sum())}")
print(thresholds_note(crm))

# %% [markdown]
# ## 1. Four tiers: the customer pyramid (客户金字塔)
#
# Sort the customers by their revenue of the last 12 months, largest first, and cut
# the list into four **tiers** (客户分类):
#
# | tier | 中文 | share of customers (by rank) | revenue cut-off in the source's case |
# |---|---|---|---|
# | VIP | VIP客户 | the top 1 % | more than ¥58,900 a year |
# | key (large) | 大客户 | the next 4 % | ¥19,000 – 58,900 |
# | mid | 中级客户 | the next 15 % | ¥4,820 – 19,000 |
# | small | 小客户 | the remaining 80 % | up to ¥4,820 |
#
# There are two ways to draw the lines. **By share**: with $n$ customers ranked by
# revenue and cumulative shares $S_1 = 1\%, S_2 = 5\%, S_3 = 20\%$, tier $k$ takes the
# ranks
#
# $$\operatorname{round}(n\,S_{k-1}) + 1 \;\dots\; \operatorname{round}(n\,S_k),$$
#
# so every tier has a fixed head count. **By cut-off**: a customer belongs to the first
# tier whose cut-off $c_k$ its revenue $r$ exceeds ($r > c_k$), so the head counts move
# with the business. For each tier the **tier table** then gives the customers, the
# revenue, the average $\bar r_k = R_k / n_k$ and the two shares $n_k / n$ and $R_k / R$.
#
# Under the pyramid sit the organisations that did not buy this year: **inactive
# customers** (不积极的客户) bought before, **prospects** (潜在客户) have had a first
# appointment, **suspects** (需置疑的客户) are listed but not qualified. Buying is the
# one criterion that makes a customer.

# %% [markdown]
# ### The source's case: 2,126 customers (某案例分析)
#
# The source gives, per tier, the number of customers and their average revenue. Build
# 2,126 customers at those averages and both cuts, by the case's cut-offs and by the
# 1 / 4 / 15 / 80 % shares, must give back the source's table exactly.

# %%
CASE_COUNTS = [21, 85, 319, 1_701]
CASE_AVG = [114_000, 31_600, 9_100, 1_160]
case = pd.Series(np.repeat(CASE_AVG, CASE_COUNTS),
                 index=[f"C{i:04d}" for i in range(sum(CASE_COUNTS))])

for tier in (tiers_by_threshold(case, thresholds=(58_900, 19_000, 4_820)),
             tiers_by_share(case, shares=(0.01, 0.04, 0.15, 0.80))):
    case_table = tier_table(case, tier)
    assert case_table["customers"].tolist() == [21, 85, 319, 1_701]
    assert case_table["revenue"].tolist() == [2_394_000, 2_686_000, 2_902_900, 1_973_160]
    assert case_table["avg_revenue"].tolist() == [114_000, 31_600, 9_100, 1_160]
    assert case_table["revenue"].sum() == 9_956_060          # the source rounds to ¥9,956,000
    assert np.round(case_table["share_customers"] * 100).tolist() == [1, 4, 15, 80]
    assert np.round(case_table["share_revenue"] * 100).tolist() == [24, 27, 29, 20]

# the top 20 % of customers: VIP + key + mid = 425 customers, ¥7,982,900, about 80 % of revenue
top20 = tiers_by_share(case).isin(["vip", "key", "mid"])
assert top20.sum() == 425
assert case[top20].sum() == 7_982_900                        # the source rounds to ¥7,983,000
assert round(top_share(case, 0.20), 2) == 0.80

TIER_LABEL = {t: f"{t} · {zh}" for t, zh in zip(PYRAMID.tiers, PYRAMID.tiers_zh)}


def show(t, code=None):
    # a tier table for reading: amounts in the table's currency, shares as per cents
    out = pd.DataFrame({
        "customers": t["customers"],
        label("revenue", code): t["revenue"],
        label("avg per customer", code): t["avg_revenue"],
        label("lowest", code): t["min_revenue"],
        "share of customers": t["share_customers"],
        "share of revenue": t["share_revenue"],
    })
    out.index = [TIER_LABEL.get(str(k), str(k)) for k in t.index]
    out.index.name = "tier"
    return format_table(out)


show(case_table, code="CNY")   # the source's case is in yuan

# %% [markdown]
# ### Our customers
#
# The same two cuts on our last 12 months, and the layers below the pyramid. The
# cut-offs are the case's for the bundled data; for your own data they are read off
# its first full year (the revenue at the 1 %, 5 % and 20 % ranks) unless your mapping
# sets them (`[policy.pyramid] thresholds`), so a tier keeps its meaning from year to year.

# %%
tiers = tiers_by_share(revenue)                 # 1 / 4 / 15 / 80 % of customers
table = tier_table(revenue, tiers)
tiers_cut = tiers_by_threshold(revenue, thresholds=CUTS)   # revenue cut-offs (CUTS)
table_cut = tier_table(revenue, tiers_cut)

layers = layer_counts(customer_layers(crm.customers, crm.orders, crm.opportunities,
                                      start=YEAR_START, end=AS_OF))
whole = pd.DataFrame({"ours": list(table_cut["customers"]) + list(layers.iloc[1:]),
                      "the source's case": CASE_COUNTS + [154, 250, 1_000]},
                     index=[TIER_LABEL[t] for t in PYRAMID.tiers]
                     + [f"{e} · {z}" for e, z in zip(PYRAMID.layers[1:], PYRAMID.layers_zh[1:])])
whole.index.name = "tier or layer (by cut-off)"
print("By share of customers:")
display(show(table))
print("By the revenue cut-offs " + " / ".join(money(c) for c in CUTS) + ":")
display(show(table_cut))
format_table(whole)

# %%
# left: each tier's share of the customers (the pyramid); right: its revenue, labelled
# with its share of revenue (the pyramid upside down). custlib run draws the same chart
# for the report (pyramid.png).
pyramid_chart(table, title="The customer pyramid (客户金字塔), last 12 months")
plt.show()


# %% [markdown]
# The left side is the pyramid: few customers at the top, a wide base. The right side
# turns it upside down: in the source's case and in our data, the top 5 % (VIP and
# key) bring about half of the revenue, the 80 % at the bottom about a fifth. A VIP
# customer is worth about a hundred small ones.
#
# **What a manager does with this.** The tiers decide how customers are served. VIP
# and key customers get a named account manager and regular structured meetings; mid
# customers get planned visits; small customers are served by phone, events and the
# web. The rows under the pyramid are a to-do list of their own: win back the inactive,
# close the prospects, qualify the suspects.

# %% [markdown]
# ### Try it: move the tier shares
#
# Drag the shares of the three top tiers (the small tier takes the rest). The pyramid
# and its table are redrawn.

# %%
def shares_what_if(vip_pct=1.0, key_pct=4.0, mid_pct=15.0):
    shares = (vip_pct / 100, key_pct / 100, mid_pct / 100, 1 - (vip_pct + key_pct + mid_pct) / 100)
    t = tier_table(revenue, tiers_by_share(revenue, shares=shares))
    pyramid_chart(t, title=f"Tiers of {vip_pct:g} / {key_pct:g} / {mid_pct:g} / {100 * shares[3]:g} % of customers")
    plt.show()
    display(show(t))


what_if(shares_what_if,
        vip_pct=widgets.FloatSlider(value=1, min=0.5, max=5, step=0.5, description="VIP %"),
        key_pct=widgets.FloatSlider(value=4, min=1, max=10, step=0.5, description="key %"),
        mid_pct=widgets.FloatSlider(value=15, min=5, max=30, step=1, description="mid %"));

# %% [markdown]
# ### Try it: move the revenue cut-offs
#
# The same pyramid cut by yearly revenue, starting from the cut-offs above (the case's
# ¥58,900 / ¥19,000 / ¥4,820 for the bundled data). Cut-offs keep their meaning from one
# year to the next, so a customer who grows moves up a tier (lesson 8 follows those moves).

# %%
SCALE = CUTS[0] / 58_900          # the sliders' range, in proportion to the case's (1 for the bundled data)


def step_of(x):
    return max(1, int(round(x)))


def cutoffs_what_if(vip_from=CUTS[0], key_from=CUTS[1], mid_from=CUTS[2]):
    if not vip_from > key_from > mid_from:
        print("the cut-offs must fall from VIP to key to mid: move one of them")
        return
    t = tier_table(revenue, tiers_by_threshold(revenue, thresholds=(vip_from, key_from, mid_from)))
    pyramid_chart(t, title=f"Tiers cut at {money(vip_from)} / {money(key_from)} / {money(mid_from)} a year")
    plt.show()
    display(show(t))


# money_slider starts each slider exactly on the cut-off above (its steps run through it)
what_if(cutoffs_what_if,
        vip_from=money_slider(round(CUTS[0]), round(20_000 * SCALE), round(150_000 * SCALE),
                              step_of(100 * SCALE), "VIP >"),
        key_from=money_slider(round(CUTS[1]), round(5_000 * SCALE), round(60_000 * SCALE),
                              step_of(100 * SCALE), "key >"),
        mid_from=money_slider(round(CUTS[2]), round(500 * SCALE), round(20_000 * SCALE),
                              step_of(10 * SCALE), "mid >"));

# %% [markdown]
# ## 2. The 80/20 rule, both ways (二八法则)
#
# "20 % of the customers bring 80 % of the revenue" can be read in two directions:
#
# * fix the customers, measure the revenue — the **top share** of the top fraction $x$
#   of customers, $\displaystyle \text{top}(x) = \frac{\sum_{i \le \operatorname{round}(xn)} r_{(i)}}{\sum_i r_i}$
#   with $r_{(1)} \ge r_{(2)} \ge \dots$ (`top_share`);
# * fix the revenue, measure the customers — the smallest share $x^*$ of customers,
#   largest first, that reaches 80 % of revenue (`pareto_fraction`).
#
# The **Pareto curve** plots $\text{top}(x)$ for every $x$. Its mirror image, with the
# customers taken smallest first, is the **Lorenz curve** $L(p)$ (洛伦兹曲线). The
# further it sags below the diagonal of perfect equality, the more concentrated the
# revenue; the **Gini coefficient** (基尼系数) measures the sag as twice the area
# between the diagonal and the curve:
#
# $$G = 1 - 2\int_0^1 L(p)\,dp ,$$
#
# 0 when every customer buys the same, close to 1 when one customer buys everything.

# %%
x80 = pareto_fraction(revenue, 0.80)
print(f"top 20 % of customers bring {top_share(revenue, 0.20):.1%} of revenue")
print(f"80 % of revenue comes from the top {x80:.1%} of customers ({round(x80 * len(revenue)):,} customers)")
print(f"Gini coefficient of revenue: {gini(revenue):.3f}")

# the case: the top 20 % bring 80.2 %, so slightly fewer than 20 % of customers reach 80 %
case_x80 = pareto_fraction(case, 0.80)
assert 0.19 < case_x80 <= 0.20 and top_share(case, case_x80) >= 0.80
print(f"the case: 80 % of revenue from the top {case_x80:.1%}; Gini {gini(case):.3f}")

# %%
curve = lorenz_curve(revenue)
case_curve = lorenz_curve(case)
fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6))

# Pareto curve: customers largest first, the Lorenz curve read from the other end,
# point (1 − p, 1 − L(p)); the red point is x80 (the report's pareto.png is this chart)
pareto_chart(curve, x80, compare=case_curve, compare_label="the source's case", ax=left)

# Lorenz curve: customers smallest first, with the equality line
right.plot(curve["share_customers"], curve["share_value"], lw=3, label="Lorenz curve L(p)")
right.plot([0, 1], [0, 1], ls="--", color="grey", label="everyone buys the same")
right.fill_between(curve["share_customers"], curve["share_value"], curve["share_customers"],
                   alpha=0.2, label="area = G / 2")
right.text(0.42, 0.28, f"Gini G = {gini(revenue):.2f}", fontsize=15)
right.set_title("Lorenz curve (洛伦兹曲线)")
right.set_xlabel("share of customers, smallest first")
right.set_ylabel("cumulative share of revenue")
right.legend(loc="upper left")

right.xaxis.set_major_formatter(PercentFormatter(1))
right.yaxis.set_major_formatter(PercentFormatter(1))
plt.show()

# %% [markdown]
# **What a manager does with this.** Whether the rule is 80/20 or 70/30 matters less
# than where the line falls: the customers to the left of the red point are the ones
# whose loss would show in the year's numbers. Check the list by name, make sure each
# one has an owner, and watch the Gini from year to year: a rising Gini means the
# business depends on fewer customers.

# %% [markdown]
# ## 3. ABC classes (ABC分类)
#
# The tiers fix head counts; **ABC classes** fix revenue instead. With the customers
# ranked largest first, a customer is **A** while the revenue of the customers before
# it is below 80 % of the total, **B** while below 95 %, and **C** after that. The A
# class is the 80/20 point turned into a list of names.

# %%
abc = abc_classes(revenue)               # cut-offs 80 % and 95 % of revenue
abc_table = pd.DataFrame({"customers": abc.value_counts(sort=False),
                          label("revenue"): revenue.groupby(abc, observed=False).sum()})
abc_table["share of customers"] = abc_table["customers"] / abc_table["customers"].sum()
abc_table["share of revenue"] = abc_table[label("revenue")] / revenue.sum()
display(format_table(abc_table))
print("tiers (by share) against ABC classes:")
format_table(pd.crosstab(tiers.map(TIER_LABEL).astype(str).rename("tier"), abc.rename("class")).reindex(
    [TIER_LABEL[t] for t in PYRAMID.tiers], fill_value=0))

# %% [markdown]
# **What a manager does with this.** A customers are where service levels and retention
# efforts go first; B customers are the candidates to grow into A; C customers are
# served at the lowest cost that keeps them. The cross-table shows how the two cuts
# line up: where revenue follows the 80/20 rule, class A is roughly VIP + key + mid, and
# the few small customers who make it into A sit right at the top of their tier.

# %% [markdown]
# ## 4. Profit: the whale curve (利润鲸鱼曲线)
#
# Revenue is not profit. Serving a customer costs licences, commissions, delivery,
# installation and training visits, and a small customer can cost more than it pays.
# With $\pi_i$ = revenue − cost of customer $i$, rank the customers from most to least
# profitable and plot the cumulative share of total profit:
#
# $$W(x) = \frac{\sum_{i \le xn} \pi_{(i)}}{\sum_i \pi_i}, \qquad \pi_{(1)} \ge \pi_{(2)} \ge \dots$$
#
# The curve climbs above 100 % (the profitable customers earn more than the company
# keeps), then sinks back to 100 % as the loss-makers give part of it away: the shape
# of a whale's back. The source reads its case that way: the top 20 % of customers
# earn **109 %** of the profit and the other 80 % **−9 %**.

# %%
case_profit = pd.Series([109.0 / 20] * 20 + [-9.0 / 80] * 80)   # 100 customers, total profit 100
case_whale = whale_curve(case_profit)
assert round(case_whale["share_profit"].max(), 6) == 1.09        # top 20 %: 109 % of profit
assert case_whale["share_profit"].iloc[20] == case_whale["share_profit"].max()
assert round(case_whale["share_profit"].iloc[-1], 12) == 1.0     # the rest: −9 %

# %%
# %%needs orders.cost
profit = period.profit_by_customer(crm.orders, YEAR_START, AS_OF).reindex(revenue.index)
if profit.sum() > 0:
    whale = whale_curve(profit)          # cumulative share of profit, most profitable first
    # the whale curve with its peak marked, and the source's reading for comparison
    whale_chart(whale, compare=case_whale, compare_label="the source's reading: 109 % / −9 %")
    plt.show()
    print(f"total profit {money(profit.sum())}; {(profit < 0).mean():.0%} of customers lose money, "
          f"together {money(profit[profit < 0].sum())}")
else:
    print("the orders bring no positive total profit in the period: the whale curve needs it")

# %% [markdown]
# **What a manager does with this.** The fall after the peak is profit already earned
# and then given away. Dropping the loss-makers is rarely the answer (many are small
# customers who might grow, and the fixed costs stay). Serve them more cheaply —
# calls, events, self-service instead of visits — or raise what they buy, and look
# hard at the discounts and free training given to the customers on the way down.

# %% [markdown]
# ## 5. Two concentration tables from the source (集中度)
#
# The source adds two tables. A **US retailer**: groups of 4 %, 11 % and 14 % of its
# customers give 37 %, 27 % and 16 % of profit, so the top 29 % give 80 %. A **US
# commercial bank**: groups of 10 %, 30 % and 60 % of its customers take 18 %, 28 % and
# 54 % of the account managers' time and give 93 %, 17 % and −10 % of profit. Dividing
# a group's share of profit by its share of time gives the profit it returns per unit
# of time, relative to the average:
#
# $$\text{profit per time}_g = \frac{\text{share of profit}_g}{\text{share of time}_g} .$$

# %%
retailer = group_concentration([0.04, 0.11, 0.14], [0.37, 0.27, 0.16],
                               labels=["first 4 %", "next 11 %", "next 14 %"])
assert retailer["cum_customers"].round(2).tolist() == [0.04, 0.15, 0.29]
assert retailer["cum_profit"].round(2).tolist() == [0.37, 0.64, 0.80]   # the top 29 % give 80 %

bank = group_concentration([0.10, 0.30, 0.60], [0.93, 0.17, -0.10], share_time=[0.18, 0.28, 0.54],
                           labels=["top", "middle", "bottom"])
assert round(bank["share_profit"].sum(), 10) == 1.0 and round(bank["share_time"].sum(), 10) == 1.0
assert round(bank.loc["middle", "cum_profit"], 2) == 1.10               # 93 % + 17 % = 110 %
assert round(bank.loc["top", "profit_per_time"], 2) == 5.17             # 93 % of profit for 18 % of time
assert bank.loc["bottom", "profit_per_time"] < 0

CUMULATIVE = ["cum_customers", "cum_profit"]        # cumulative shares, shown as per cents
display(format_table(retailer, percent=CUMULATIVE))
display(format_table(bank, percent=CUMULATIVE))

fig, ax = plt.subplots(figsize=(10, 5))
width = 0.27
pos = np.arange(len(bank))
for i, (col, name, colour) in enumerate([("share_customers", "customers (客户)", "#6baed6"),
                                         ("share_time", "account-manager time (时间)", "#fdae6b"),
                                         ("share_profit", "profit (利润)", "#08519c")]):
    bars = ax.bar(pos + (i - 1) * width, bank[col], width, color=colour, label=name)
    ax.bar_label(bars, labels=[f"{v:.0%}" for v in bank[col]], fontsize=12)
ax.axhline(0, color="black", lw=1)
ax.set_xticks(pos, ["top 10 %", "middle 30 %", "bottom 60 %"])
ax.yaxis.set_major_formatter(PercentFormatter(1))
ax.set_title("The bank: who takes the time, who gives the profit")
ax.set_xlabel("customer group")
ax.set_ylabel("share of the total")
ax.legend(loc="upper right")
plt.show()

# %% [markdown]
# ### Our version of the bank table
#
# Our CRM records the visits, calls and meetings, so we can build the same table with
# our tiers as the groups and the number of contacts as a stand-in for time.

# %%
# %%needs orders.cost activities.activity_date
acts = period.in_window(crm.activities, YEAR_START, AS_OF, column="activity_date")
contacts_per_customer = acts.groupby("customer_id").size().reindex(revenue.index, fill_value=0)
by_tier = pd.DataFrame({"customers": table["customers"],
                        "profit": profit.groupby(tiers, observed=False).sum(),
                        "contacts": contacts_per_customer.groupby(tiers, observed=False).sum()})
if by_tier["contacts"].sum() > 0 and by_tier["profit"].sum() > 0:
    ours = group_concentration(by_tier["customers"] / by_tier["customers"].sum(),
                               by_tier["profit"] / by_tier["profit"].sum(),
                               share_time=by_tier["contacts"] / by_tier["contacts"].sum(),
                               labels=[TIER_LABEL[str(t)] for t in by_tier.index])
    display(format_table(ours, percent=["cum_customers", "cum_profit"]))
else:
    print("no contacts or no profit in the period: the table cannot be built")

# %% [markdown]
# **What a manager does with this.** Time is the scarcest resource of a sales team. A
# profit-per-time ratio well above 1 says "more time here pays"; a ratio below 1, or
# negative, says the group takes more attention than it returns. Move visits from the
# groups at the bottom of the table to those at the top, and serve the bottom by
# cheaper channels.

# %% [markdown]
# ## Your turn
#
# Four exercises on our data. Replace `None` with your code and run the cell: the
# check says *correct*, or *not yet* and what is off. `q1.hint()` gives a hint; the
# solutions are folded under each exercise.

# %%
q1 = Check("Exercise 1", lambda: top_share(revenue, 0.10),
           hint="top_share(revenue, fraction), with the fraction between 0 and 1")
q2 = Check("Exercise 2", lambda: pareto_fraction(revenue, 0.90),
           hint="pareto_fraction(revenue, target): the target is the share of revenue")
q3 = Check("Exercise 3", lambda: gini(last12.groupby("customer_id")["order_id"].nunique()),
           hint="count the orders of each customer in last12 (groupby + size), then gini(...)")
q4 = Check("Exercise 4", lambda: int((abc_classes(revenue, cutoffs=(0.70, 0.95)) == "A").sum()),
           hint="abc_classes(revenue, cutoffs=(0.70, 0.95)), then count the 'A'")

# %% [markdown]
# **Exercise 1.** What share of the last 12 months' revenue do the top 10 % of
# customers bring? Answer as a fraction (0.5, not 50).

# %% exercise={"id": "q1", "wrong": "answer_q1 = top_share(revenue, 0.10) * 100"}
answer_q1 = None
q1(answer_q1)

# %% [markdown] solution="q1"
# <details><summary>Solution</summary>
#
# ```python
# answer_q1 = top_share(revenue, 0.10)
# ```
#
# The top 10 % alone bring well over half of the revenue: the pyramid is steep.
# </details>

# %% [markdown]
# **Exercise 2.** Read the 80/20 rule the other way with a stricter target: what
# smallest share of customers, largest first, brings **90 %** of revenue?

# %% exercise={"id": "q2", "wrong": "answer_q2 = top_share(revenue, 0.90)"}
answer_q2 = None
q2(answer_q2)

# %% [markdown] solution="q2"
# <details><summary>Solution</summary>
#
# ```python
# answer_q2 = pareto_fraction(revenue, 0.90)
# ```
#
# `top_share(revenue, 0.90)` answers the opposite question (the revenue of the top 90 % of customers). `pareto_fraction` fixes the revenue and finds the customers.
# </details>

# %% [markdown]
# **Exercise 3.** Is the *number of orders* as concentrated as revenue? Compute the
# Gini coefficient of the number of orders per customer in the last 12 months
# (`last12`).

# %% exercise={"id": "q3", "wrong": "answer_q3 = gini(revenue)"}
answer_q3 = None
q3(answer_q3)

# %% [markdown] solution="q3"
# <details><summary>Solution</summary>
#
# ```python
# answer_q3 = gini(last12.groupby("customer_id")["order_id"].nunique())
# ```
#
# Much lower than the Gini of revenue: big customers do not order much more often, they place larger orders (more seats, more product lines).
# </details>

# %% [markdown]
# **Exercise 4.** A tighter ABC policy closes class A at **70 %** of revenue (B still at
# 95 %). How many of our customers are then in class A?

# %% exercise={"id": "q4", "wrong": "answer_q4 = int((abc_classes(revenue) == \"A\").sum())"}
answer_q4 = None
q4(answer_q4)

# %% [markdown] solution="q4"
# <details><summary>Solution</summary>
#
# ```python
# answer_q4 = int((abc_classes(revenue, cutoffs=(0.70, 0.95)) == "A").sum())
# ```
#
# The default cut-offs are 80 % and 95 %; pass your own as `cutoffs`. Ten points of revenue less cost the A class far more than ten per cent of its customers.
# </details>

# %% [markdown]
# ## Next
#
# Lesson 4 asks what a customer is worth over the years: retention, lifetime value and RFM.
