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
# # 8. Tier migration and growth: year two, the 2 % uplift, the customer-meeting effect (客户升级与增长)
#
# This lesson follows the customers from one year to the next, climbing a tier,
# slipping down one or leaving (客户迁移), and measures how much revenue those moves and
# structured customer meetings add. Lesson 3 took a photograph of the customer
# pyramid; this lesson runs the film. The source's claim is that the cheapest growth is already in the customer list: move a
# few small customers up and look after the existing ones, and revenue rises without
# a single new customer.
#
# **In this lesson you will**
#
# * reproduce the source's year two: 36 small customers (about 2 %) moving up lift
#   revenue from ¥9,956,060 to ¥11,306,100;
# * build the **transition matrix** (客户迁移矩阵) of our two years and draw it as a heatmap;
# * project the pyramid forward if this year's moves repeat;
# * measure the effect of structured **customer meetings** (客户会谈), +6 % against −8 %
#   in the source, and find the coverage at which revenue breaks even.

# %% [markdown]
# ## Where the data comes from
#
# Two years of orders of our fictional cost-estimation software vendor (year one and
# year two are the two 12-month periods ending on the analysis date), and the
# activities table for the structured meetings. `DATA = None` uses the bundled data;
# put the path of your own CRM export in quotes to use yours, with its `MAPPING` file
# if its columns carry your own names (see lesson 0). Tier migration needs only the
# orders; the meeting effect needs the activities.

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
from matplotlib.ticker import FuncFormatter, PercentFormatter

from custlib import course, period
from custlib.course.exercises import Check
from custlib.migration import (LOST, meeting_effect, meeting_what_if, move_up, project,
                               revenue_from_counts, transition_matrix)
from custlib.money import label, money, short
from custlib.plotting import format_table, migration_chart
from custlib.course import what_if
from custlib.policy import PYRAMID
from custlib.pyramid import thresholds_for, thresholds_note, tier_table, tiers_by_threshold
from custlib.course.sections import needs  # also registers %%needs

# the course's chart style, the data, and year two: the last 12 months up to the
# analysis date (分析日期), both ends included
crm, (Y2_START, AS_OF) = course.setup(DATA, MAPPING, AS_OF)
Y1_START, Y1_END = period.window(AS_OF, back=1)        # year one: the 12 months before
two_years = period.in_window(crm.orders, Y1_START, AS_OF)
two_years = two_years.assign(year=np.where(two_years["order_date"] >= Y2_START, "y2", "y1"))
rev = (two_years.groupby(["customer_id", "year"])["amount"].sum()
       .unstack(fill_value=0).reindex(columns=["y1", "y2"], fill_value=0))
y1 = rev.loc[rev["y1"] > 0, "y1"]        # revenue of the customers of year one
y2 = rev.loc[rev["y2"] > 0, "y2"]        # revenue of the customers of year two
if y1.empty or y2.empty:
    raise ValueError("this lesson compares two 12-month periods: it needs orders in both "
                     f"{Y1_START.date()}–{Y1_END.date()} and {Y2_START.date()}–{AS_OF.date()}")
TIERS = list(PYRAMID.tiers)
TIER_LABEL = {t: f"{t} · {zh}" for t, zh in zip(PYRAMID.tiers, PYRAMID.tiers_zh)}
CUTS = thresholds_for(crm)       # the case's cut-offs for the bundled data, else fitted to yours
print(f"year one {Y1_START.date()} to {Y1_END.date()}: {len(y1):,} customers, {money(y1.sum())}")
print(f"year two {Y2_START.date()} to {AS_OF.date()}: {len(y2):,} customers, {money(y2.sum())}")
print(thresholds_note(crm))

# %% [markdown]
# ## 1. Year two: growth from the customers you already have (第二年)
#
# The source's company has 2,126 customers in the four tiers of lesson 3. In year two
# it visits its existing customers more often; the number of customers does not
# change, but 36 small customers — about 2 % of the 1,701 — move up: 8 into VIP, 10
# into key, 18 into mid.
#
# If every tier keeps its average revenue $\bar r_k$, revenue is just the tier counts
# $n_k$ times those averages:
#
# $$R = \sum_k n_k\,\bar r_k, \qquad
# \Delta R = \sum_{k \ne \text{small}} g_k\,(\bar r_k - \bar r_{\text{small}}),$$
#
# where $g_k$ customers move from the small tier into tier $k$: each one brings its new
# tier's average and stops bringing a small customer's.

# %%
YEAR1 = pd.Series([21, 85, 319, 1_701], index=TIERS)
AVG = pd.Series([114_000, 31_600, 9_100, 1_160], index=TIERS)     # year-one tier averages (CNY)

year2 = move_up(YEAR1, {"vip": 8, "key": 10, "mid": 18})
assert year2.tolist() == [29, 95, 337, 1_665] and year2.sum() == 2_126
assert (year2 - YEAR1).tolist() == [8, 10, 18, -36]
assert round(36 / 1_701, 3) == 0.021                               # "2 % of small customers move up"
assert revenue_from_counts(YEAR1, AVG) == 9_956_060
assert revenue_from_counts(year2, AVG) == 11_306_100
case_growth = revenue_from_counts(year2, AVG) / revenue_from_counts(YEAR1, AVG) - 1
assert round(case_growth, 3) == 0.136

case_years = pd.DataFrame({"customers, year one": YEAR1, "customers, year two": year2,
                           "change": year2 - YEAR1, "avg per customer (CNY)": AVG,
                           "revenue, year one (CNY)": YEAR1 * AVG,
                           "revenue, year two (CNY)": year2 * AVG})
case_years["change in revenue (CNY)"] = case_years["revenue, year two (CNY)"] - case_years["revenue, year one (CNY)"]
case_years.loc["total"] = case_years.sum()
case_years.loc["total", "avg per customer (CNY)"] = np.nan
case_years.index = [TIER_LABEL.get(k, k) for k in case_years.index]
print(f"revenue ¥{revenue_from_counts(YEAR1, AVG):,} → ¥{revenue_from_counts(year2, AVG):,} "
      f"({case_growth:+.1%}) with the same 2,126 customers")
format_table(case_years)


# %%
def draw_years(before, after, avg, title, code=None):
    # revenue per tier before and after the moves, at the same tier averages
    pos = np.arange(len(before))
    fig, ax = plt.subplots(figsize=(10, 5))
    b1 = ax.bar(pos - 0.2, before * avg, 0.4, color="#9ecae1", label="year one (第一年)")
    b2 = ax.bar(pos + 0.2, after * avg, 0.4, color="#08519c", label="year two (第二年)")
    ax.bar_label(b1, labels=[f"{n:,}" for n in before], fontsize=11, padding=2)
    ax.bar_label(b2, labels=[f"{n:,}" for n in after], fontsize=11, padding=2)
    ax.set_xticks(pos, [TIER_LABEL.get(k, k) for k in before.index])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: short(x, code=code)))
    ax.set_ylabel(label("revenue", code))
    ax.set_xlabel("tier (numbers on the bars: customers)")
    ax.set_ylim(0, max((before * avg).max(), (after * avg).max()) * 1.2)
    ax.set_title(title)
    ax.legend(loc="upper right")
    plt.show()


draw_years(YEAR1, year2, AVG, "The case: 36 small customers move up, revenue +13.6 %", code="CNY")

# %% [markdown]
# Thirty-six customers out of 2,126 — under 2 % of the base — add ¥1,350,040, most of it
# from the 8 customers who reach VIP. The source reports a profit of ¥1,367,308 for
# that year two. It also observes that 5–10 % of small customers have the potential
# to move up at once: the 2 % of the case is a cautious target.
#
# **What a manager does with this.** Ask each rep to name the small customers who could
# move up this year (more estimators, a second product line, an upgrade) and plan a
# visit to each. The growth target is then a list of names, not a percentage.

# %% [markdown]
# ### Try it: how many small customers move up?
#
# Set the share of small customers who move up; they spread over VIP, key and mid in the
# case's proportions (8 : 10 : 18). Switch the base to our own year-two pyramid to see
# what the same effort would be worth here.

# %%
table_y1 = tier_table(y1, tiers_by_threshold(y1, thresholds=CUTS))
table_y2 = tier_table(y2, tiers_by_threshold(y2, thresholds=CUTS))
our_counts = table_y2["customers"]
our_avg = table_y2["avg_revenue"].fillna(0)
CASE, OURS = "the source's case", "our customers (year two)"


def move_up_what_if(move_up_pct=2.1, base=CASE):
    counts, avg = (YEAR1, AVG) if base == CASE else (our_counts, our_avg)
    code = "CNY" if base == CASE else None      # the case is in yuan; ours in the data's currency
    moved = round(counts["small"] * move_up_pct / 100)
    to_vip, to_key = round(moved * 8 / 36), round(moved * 10 / 36)
    after = move_up(counts, {"vip": to_vip, "key": to_key, "mid": moved - to_vip - to_key})
    before_rev, after_rev = revenue_from_counts(counts, avg), revenue_from_counts(after, avg)
    change = after_rev / before_rev - 1 if before_rev else float("nan")
    draw_years(counts, after, avg, f"{moved:,} small customers move up: revenue {change:+.1%}", code=code)
    print(f"{moved:,} of {counts['small']:,} small customers move up "
          f"(+{to_vip} VIP, +{to_key} key, +{moved - to_vip - to_key} mid): "
          f"{money(before_rev, code=code)} → {money(after_rev, code=code)}")


what_if(move_up_what_if,
        move_up_pct=widgets.FloatSlider(value=2.1, min=0, max=10, step=0.1, description="move up %"),
        base=widgets.Dropdown(options=[CASE, OURS], value=CASE, description="base"));

# %% [markdown]
# ## 2. Who moved where: the transition matrix (客户迁移矩阵)
#
# Net counts hide the traffic: a tier can keep its size while many customers leave it
# and as many arrive. Tier every customer in both years with the same cut-offs (the
# case's ¥58,900 / ¥19,000 / ¥4,820 for the bundled data, those of lesson 3 for yours),
# so a tier means the same thing in both years, and count the pairs. With $n_{ij}$ the
# customers in tier $i$ in year one and tier $j$ in year two, the **transition matrix** is
#
# $$P_{ij} = \frac{n_{ij}}{\sum_j n_{ij}},$$
#
# the share of tier $i$ that went to tier $j$. Each row adds up to 1. A year-one
# customer who bought nothing in year two goes to the column **lost** (流失); customers
# new in year two arrived rather than moved, so they are not in the matrix.

# %%
t1 = tiers_by_threshold(y1, thresholds=CUTS)
t2 = tiers_by_threshold(y2, thresholds=CUTS)
counts = transition_matrix(t1, t2, normalize=False)     # customers
P = transition_matrix(t1, t2)                           # shares of each year-one tier

moves = pd.DataFrame({
    "customers, year one": counts.sum(axis=1),
    "moved up": [P.loc[t, TIERS[:i]].sum() for i, t in enumerate(TIERS)],
    "stayed": [P.loc[t, t] for t in TIERS],
    "moved down": [P.loc[t, TIERS[i + 1:]].sum() for i, t in enumerate(TIERS)],
    "lost": P[LOST],
}, index=TIERS)
moves.index = [TIER_LABEL[t] for t in TIERS]
print(f"{len(y2.index.difference(y1.index)):,} customers of year two are new (not in the matrix)")
display(format_table(counts))
format_table(moves, percent=["moved up", "stayed", "moved down", "lost"])

# %%
# tier names on two lines, for the charts
LABEL2 = {**{t: f"{t}\n{zh}" for t, zh in zip(PYRAMID.tiers, PYRAMID.tiers_zh)}, LOST: "lost\n流失"}

# each row a year-one tier: the share of its customers in each year-two tier (the
# number of customers in brackets)
migration_chart(P, counts, labels=LABEL2, title="Tier migration, year one → year two (客户迁移矩阵)")
plt.show()

# %% [markdown]
# Read the matrix by rows. The diagonal is the customers who stayed; to the left of it
# are those who moved up, to the right those who slipped or were lost. Compare the
# small row with the case: there 2 % of small customers moved up.
#
# **What a manager does with this.** The cells off the diagonal are two call lists.
# Customers who moved down are at risk — find out why before they slip further (a
# competitor, a budget cut, a finished project). Customers who moved up show what
# works: ask their reps what happened and repeat it with similar small customers.

# %% [markdown]
# ## 3. If the moves repeat: projecting the pyramid (预测)
#
# Suppose next year's moves look like this year's. Writing the tier counts as a row
# vector $n_t$, one year later they are
#
# $$n_{t+1} = n_t\,P, \qquad\text{so}\qquad n_t = n_0\,P^{\,t}.$$
#
# This is a Markov chain: the future of a customer depends only on its tier now. Lost
# customers stay lost, and the projection has no new customers, so it shows where the
# *current* base is heading. Valuing each year's counts at the tier averages of year
# two turns the projection into revenue (right-hand chart).

# %%
start = table_y2["customers"]                           # year-two tier counts
path = project(start, P, periods=10)
path_revenue = pd.Series([revenue_from_counts(path.loc[k, TIERS], our_avg) for k in path.index],
                         index=path.index, name=label("revenue"))

fig, (left, right) = plt.subplots(1, 2, figsize=(14, 5.5), layout="constrained")
colours = {"vip": "#08306b", "key": "#2171b5", "mid": "#6baed6", "small": "#9ecae1", LOST: "#d62728"}
last = path.index[-1]
for state in path.columns:
    if path[state].max() > 0:
        left.plot(path.index, path[state], marker="o", color=colours.get(state))
        left.text(last + 0.4, path[state].iloc[-1], LABEL2.get(state, state).replace("\n", " "),
                  va="center", fontsize=12, color=colours.get(state))
left.set_yscale("log")
left.set_xlim(-0.5, last + 4)
left.set_title("Customers per tier if the moves repeat")
left.set_xlabel("years after year two")
left.set_ylabel("customers (log scale)")
right.plot(path_revenue.index, path_revenue, marker="o", lw=3, color="#08519c")
right.yaxis.set_major_formatter(FuncFormatter(short))
right.set_title("Revenue of today's customers")
right.set_xlabel("years after year two")
right.set_ylabel(label("revenue"))
plt.show()
format_table(path.head(6), decimals=1)

# %% [markdown]
# **What a manager does with this.** The projection is not a forecast — new customers,
# prices and the market all change — but it answers a sharp question: *if we do
# nothing differently, where does our current base go?* A pyramid whose top tiers
# shrink over the projection, or a lost column that keeps growing, is a case for
# spending more time on existing customers before chasing new ones.

# %% [markdown]
# ## 4. The customer meeting (客户会谈)
#
# The source's case: 1,000 customers shared by 20 account managers, 50 each. The
# customers who had a structured meeting in the year bought **6 % more**; those who
# did not bought **8 % less**. A structured meeting opens with something useful for the
# customer, starts broad and narrows like a funnel, asks what they want from a
# supplier, reviews what they use and what they will need, agrees how to stay in
# touch, and is followed up quickly, above all when a large customer shows signs of
# leaving.
#
# If a share $s$ of this year's revenue $R$ sits with customers who get a meeting, next
# year's revenue is
#
# $$R' = R\,\big[s\,(1 + g_{\text{met}}) + (1 - s)\,(1 + g_{\text{not}})\big],$$
#
# and revenue stays flat ($R' = R$) at the **break-even coverage**
#
# $$s^* = \frac{-g_{\text{not}}}{g_{\text{met}} - g_{\text{not}}} = \frac{0.08}{0.06 + 0.08} = \frac{4}{7} \approx 57\,\%.$$

# %%
assert round(meeting_what_if(1_000, 1.0)) == 1_060       # everyone met: +6 %
assert round(meeting_what_if(1_000, 0.0)) == 920         # nobody met: −8 %
break_even = 0.08 / (0.06 + 0.08)
assert np.isclose(break_even, 4 / 7)
assert np.isclose(meeting_what_if(1_000, break_even), 1_000)   # break-even: revenue flat
assert 1_000 / 20 == 50                                  # 20 account managers, 50 customers each

coverage = [0, 0.25, 0.5, 4 / 7, 0.75, 1]
case_meetings = pd.DataFrame({"share of revenue met": coverage,
                              "next year, per ¥1,000 this year": [meeting_what_if(1_000, s) for s in coverage]})
case_meetings["change"] = case_meetings["next year, per ¥1,000 this year"] / 1_000 - 1
our_coverage = float("nan")   # our own, measured below when the data has the meetings
format_table(case_meetings, money="next year, per ¥1,000 this year", percent="change", code="CNY")

# %% [markdown]
# ### Our customers
#
# Our activities table marks the structured meetings. Split the customers of year one
# by whether they had a meeting in year two, and compare their revenue in the two years:
# $g = \sum \text{revenue}_{y2} / \sum \text{revenue}_{y1} - 1$ per group.

# %%
# %%needs activities.activity_type activities.activity_date
acts_y2 = period.in_window(crm.activities, Y2_START, AS_OF, column="activity_date")
meetings = acts_y2[acts_y2["activity_type"] == "meeting"]
had_meeting = pd.Series(True, index=pd.Index(meetings["customer_id"].unique()))
effect = meeting_effect(y1, rev["y2"], had_meeting)
our_coverage = effect.loc["meeting", "revenue_y1"] / effect["revenue_y1"].sum()
print(f"customers met in year two hold {our_coverage:.0%} of year-one revenue" if our_coverage == our_coverage
      else "no structured meetings recorded in year two")
display(format_table(effect, money=["revenue_y1", "revenue_y2"], percent="growth"))

fig, ax = plt.subplots(figsize=(8, 5))
growth = effect["growth"].fillna(0)
bars = ax.bar(["met (会谈)", "not met (未会谈)"], growth, color=["#2ca02c", "#d62728"], width=0.5)
ax.bar_label(bars, labels=[f"{g:+.1%}" for g in growth], fontsize=15, label_type="center",
             color="white")
ax.scatter([0, 1], [0.06, -0.08], marker="_", s=2_000, color="black", zorder=3,
           label="the source's case: +6 % / −8 %")
ax.axhline(0, color="black", lw=1)
ax.yaxis.set_major_formatter(PercentFormatter(1))
ax.set_ylim(min(-0.12, growth.min() - 0.03), max(0.1, growth.max() + 0.03))
ax.set_title("Revenue growth, year one → year two, by customer meeting")
ax.set_ylabel("growth of revenue")
ax.legend(loc="upper right")
plt.show()

# %% [markdown]
# A word of caution: the comparison shows an association, not proof. Reps may have
# chosen to meet the customers who were already growing. The source's advice stands
# either way — the customers nobody talks to drift away — but the cleanest test is to
# pick the customers to meet at random within each tier and compare a year later.
#
# **What a manager does with this.** Plan the meetings like a budget: each account
# manager can hold a limited number a year, so aim them at the customers who hold the
# revenue, and check the coverage against the break-even line below.

# %% [markdown]
# ### Try it: meeting coverage
#
# Move the share of revenue that gets a meeting, and the two growth rates (the case's
# +6 % and −8 % to start). The line shows next year's revenue of our year-one customers
# for every coverage; the dashed line is break-even.

# %%
base_revenue = float(y1.sum())
start_pct = round(100 * our_coverage) if our_coverage == our_coverage else 50


def coverage_what_if(coverage_pct=start_pct, growth_met_pct=6.0, growth_not_pct=-8.0):
    g_met, g_not = growth_met_pct / 100, growth_not_pct / 100
    grid = np.linspace(0, 1, 101)
    fig, ax = plt.subplots(figsize=(10, 5))
    ax.plot(grid, [meeting_what_if(base_revenue, s, g_met, g_not) for s in grid], lw=3,
            label="next year's revenue")
    ax.axhline(base_revenue, color="black", lw=1, label="this year's revenue")
    next_year = meeting_what_if(base_revenue, coverage_pct / 100, g_met, g_not)
    ax.scatter([coverage_pct / 100], [next_year], color="#d62728", s=90, zorder=3,
               label=f"coverage {coverage_pct}%: {money(next_year)}")
    if g_met > 0 > g_not:
        s_star = -g_not / (g_met - g_not)
        ax.axvline(s_star, color="grey", ls="--", label=f"break-even at {s_star:.0%}")
    ax.xaxis.set_major_formatter(PercentFormatter(1))
    ax.yaxis.set_major_formatter(FuncFormatter(short))
    ax.set_title("Customer meetings (客户会谈): coverage against revenue")
    ax.set_xlabel("share of revenue whose customers get a meeting")
    ax.set_ylabel(label("revenue"))
    ax.legend(loc="upper left", fontsize=12)
    plt.show()
    print(f"{money(base_revenue)} → {money(next_year)} ({next_year / base_revenue - 1:+.1%})")


what_if(coverage_what_if,
        coverage_pct=widgets.IntSlider(value=start_pct, min=0, max=100, step=1, description="coverage %"),
        growth_met_pct=widgets.FloatSlider(value=6, min=-10, max=20, step=0.5, description="met %"),
        growth_not_pct=widgets.FloatSlider(value=-8, min=-20, max=10, step=0.5, description="not met %"));

# %% [markdown]
# ## Your turn
#
# Four exercises on our two years. Replace `None` with your code and run the cell: the
# check says *correct*, or *not yet* and what is off. `q1.hint()` gives a hint; the
# solutions are folded under each exercise.

# %%
q1 = Check("Exercise 1", lambda: int(np.tril(counts[TIERS].to_numpy(), -1).sum()),
           hint="in counts, moving up means a year-two column above the year-one row: add them for every row")
q2 = Check("Exercise 2", lambda: float(project(start, P, periods=3).loc[3, "key"]),
           hint="project(start, P, periods=3), then the row of period 3 and the column 'key'")
# q3 and q4 ask for a precise figure: on the bundled data the actual year-two revenue and the
# case's 4/7 lie within 0.5 % of the answers, so the default tolerance would let them pass
q3 = Check("Exercise 3", lambda: revenue_from_counts(table_y2["customers"], table_y1["avg_revenue"]),
           rtol=1e-6, hint="revenue_from_counts(year-two tier counts, year-one tier averages)")
q4 = Check("Exercise 4", lambda: float(-effect.loc["no meeting", "growth"]
                                       / (effect.loc["meeting", "growth"] - effect.loc["no meeting", "growth"])),
           rtol=1e-6, hint="s* = −g_not / (g_met − g_not), with the two growth rates of the effect table")

# %% [markdown]
# **Exercise 1.** How many year-one customers, in all tiers together, moved **up** at
# least one tier in year two? (A count of customers.)

# %% exercise={"id": "q1", "wrong": "answer_q1 = int(counts.loc[\"small\", [\"vip\", \"key\", \"mid\"]].sum())"}
answer_q1 = None
q1(answer_q1)

# %% [markdown] solution="q1"
# <details><summary>Solution</summary>
#
# ```python
# answer_q1 = int(sum(counts.loc[tier, TIERS[:i]].sum() for i, tier in enumerate(TIERS)))
# ```
#
# Every tier but VIP can move up: add the cells to the left of the diagonal in each row. Counting only the small row misses the mid and key customers who climbed.
# </details>

# %% [markdown]
# **Exercise 2.** If this year's moves repeat, how many **key** customers (大客户) does
# the projection expect three years after year two?

# %% exercise={"id": "q2", "wrong": "answer_q2 = float(project(start, P, periods=1).loc[1, \"key\"])"}
answer_q2 = None
q2(answer_q2)

# %% [markdown] solution="q2"
# <details><summary>Solution</summary>
#
# ```python
# answer_q2 = float(project(start, P, periods=3).loc[3, "key"])
# ```
#
# Period 0 is year two itself; period 3 is three applications of the matrix. The same number is `path.loc[3, "key"]`.
# </details>

# %% [markdown]
# **Exercise 3.** The source values year two as *year-two tier counts × year-one tier
# averages*. Do the same for our customers: what revenue (CNY) would our year-two tier
# counts bring at our year-one tier averages?

# %% exercise={"id": "q3", "wrong": "answer_q3 = float(y2.sum())"}
answer_q3 = None
q3(answer_q3)

# %% [markdown] solution="q3"
# <details><summary>Solution</summary>
#
# ```python
# answer_q3 = revenue_from_counts(table_y2["customers"], table_y1["avg_revenue"])
# ```
#
# The gap to the actual year-two revenue (`y2.sum()`) comes from the tier averages changing; the gap to year one's revenue (`y1.sum()`) comes from the tier counts changing: customers moving, arriving and leaving.
# </details>

# %% [markdown]
# **Exercise 4.** With *our* measured growth rates instead of the case's +6 % and
# −8 %, what share of revenue must get a meeting for revenue to stay flat? Answer as a
# fraction.

# %% exercise={"id": "q4", "wrong": "answer_q4 = 4 / 7"}
# %%needs --exercise activities.activity_type activities.activity_date
answer_q4 = None
q4(answer_q4)

# %% [markdown] solution="q4"
# <details><summary>Solution</summary>
#
# ```python
# g_met = effect.loc["meeting", "growth"]
# g_not = effect.loc["no meeting", "growth"]
# answer_q4 = float(-g_not / (g_met - g_not))
# ```
#
# 4/7 is the case's break-even. Ours is close because our growth rates are close to the case's; check it with `meeting_what_if(y1.sum(), answer_q4, g_met, g_not)`, which gives back `y1.sum()`.
# </details>

# %% [markdown]
# ## Next
#
# Lesson 9 puts the course together in the monthly customer-analysis workbook (客户分析表).
