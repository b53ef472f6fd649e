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
# # 6. Prospect grading A/B/C/D, importance, market space and contact cadence (客户分级)
#
# This lesson grades a rep's open prospects A to D by how soon and how surely they will
# buy, and turns the grades into visits, calls and a monthly workload. A rep's open
# pipeline holds deals that will sign next month next to deals that may never sign. If
# every one gets the same attention, the near ones are under-served and
# the far ones eat the week. **Grading** (客户分级) puts each prospect in one of four
# classes, A to D, by how soon and how surely it will buy. The grade then fixes a
# **contact cadence** (维护原则): how often the account is visited and called. Add the
# cadences of a rep's accounts and you have the rep's monthly workload, which either
# fits in a month or does not.
#
# **In this lesson you will**
#
# * grade the open pipeline in both versions of the source: by time to close, and by
#   close probability and date (the cost-estimation workbook's version);
# * read the signs that go with each grade;
# * tell important users (重要用户) from general users (一般用户) and sort organisations
#   by market space (市场空间分类);
# * turn grades into visits and calls a month per rep, and compare them with what a
#   rep can do in a month;
# * move the grade thresholds and the cadence and watch the workload change.

# %% [markdown]
# ## Where the data comes from
#
# The open opportunities and the customer records of our fictional cost-estimation
# software vendor; `DATA = None` uses the bundled data, or put the path of your own CRM
# export in quotes, with its `MAPPING` file if its columns carry your own names (see
# lesson 0). The whole lesson grades opportunities: an export without them skips it.

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
from matplotlib.ticker import FuncFormatter

from custlib import course, period, schema
from custlib.course.exercises import Check
from custlib.grading import (GRADES, WEEKS_PER_MONTH, contact_cadence, grade_by_probability,
                             grade_by_time_to_close, grade_characteristics, market_space,
                             important_revenue_for, rep_workload, user_importance)
from custlib.money import label, money, short
from custlib.plotting import format_table, top_rows
from custlib.course import what_if
from custlib.policy import GRADING
from custlib.course.sections import needs  # also registers %%needs

# the course's chart style, the data, and the analysis window: the last 12 months
# up to the analysis date (分析日期), both ends included
crm, (YEAR_START, AS_OF) = course.setup(DATA, MAPPING, AS_OF)
open_opps = crm.opportunities[crm.opportunities["stage"].isin(schema.OPEN_STAGES)].copy()
GRADE_COLOURS = ["#08306b", "#2171b5", "#6baed6", "#c6dbef"]   # A dark ... D light
print(f"{len(open_opps):,} open opportunities at {open_opps['customer_id'].nunique():,} "
      f"organisations, held by {open_opps['rep_id'].nunique()} reps; graded on {AS_OF.date()}")

# %% [markdown]
# ## 1. Version 1: grade by time to close (按预计成交时间分级)
#
# The first version comes from enterprise-software selling (信息化), where a sale is a
# project that runs for months. The only question it asks is *when will they sign?*
# Counting calendar months from today, $t_0$, and writing $t$ for the expected close
# date (预计成交时间):
#
# $$
# \text{grade} =
# \begin{cases}
# A & t \le t_0 + 3 \text{ months}\\
# B & t_0 + 3 < t \le t_0 + 6 \text{ months}\\
# C & t_0 + 6 < t \le t_0 + 12 \text{ months}\\
# D & \text{later, or no date at all}
# \end{cases}
# $$
#
# A date that has already passed counts as "now": the deal is late, not gone. The
# source also describes what each grade *looks like*, so a rep can grade a prospect
# before anyone has guessed a date: an A has started vendor selection (选型); a B wants
# the system but waits for some event, or is so unhappy with its current vendor that it
# will change; a C knows it should buy some day but feels no urgency; a D only has an
# objective need (客观需求), one that its size and trade imply, without wanting it yet
# (no subjective need, 主观需求).

# %%
chars = grade_characteristics()
# the source's characteristics table, row by row (digest §10)
assert chars.loc["objective_need", list(GRADES)].tolist() == ["Y", "Y", "Y", "Y"]
assert chars.loc["subjective_need", list(GRADES)].tolist() == ["Y", "Y", "Y", "N"]
assert chars.loc["resolve", list(GRADES)].tolist() == ["high", "high/medium", "medium/low", "low/none"]
assert chars.loc["feasibility_study", list(GRADES)].tolist() == ["Y", "Y/N", "Y/N", "N"]
assert chars.loc["vendor_selection", list(GRADES)].tolist() == ["Y", "N", "N", "N"]
assert chars.loc["closes_within", list(GRADES)].tolist() == ["≤ 3 months", "4–6 months",
                                                            "7–12 months", "later / none"]
display(format_table(chars))

# %%
open_opps["grade_v1"] = grade_by_time_to_close(open_opps["expected_close_date"], AS_OF)
v1 = open_opps["grade_v1"].value_counts(sort=False).to_frame("prospects")
v1["share"] = (v1["prospects"] / v1["prospects"].sum()).round(3)
format_table(v1)

# %% [markdown]
# Read the table with the pipeline picture of the source in mind: target market → D → C
# → B → A → won or lost. A prospect should climb one grade at a time.
#
# **What a manager does with this.** Ask for the grade *and* the sign behind it: "A,
# because they have started vendor selection" can be checked, "A, because they said
# soon" cannot. A prospect that keeps the same grade quarter after quarter is not
# moving, whatever its close date says; move its date, or its grade, down.

# %% [markdown]
# ## 2. Version 2: grade by probability and date (造价软件客户分析表)
#
# The cost-estimation workbook grades with two numbers the CRM already holds for every
# opportunity, the close probability $p$ (成交概率) and the expected close date $t$:
#
# $$
# \text{grade} =
# \begin{cases}
# A & p \ge 75\,\% \text{ and } t \le t_0 + 1 \text{ month} \quad\text{(closing stage)}\\
# B & p \ge 50\,\% \text{ and } t \le t_0 + 3 \text{ months} \quad\text{(demo, evaluation, comparing offers)}\\
# C & p \ge 20\,\% \quad\text{(collecting information; we are on the candidate list)}\\
# D & \text{the rest}
# \end{cases}
# $$
#
# The first line that holds gives the grade. The source names no criteria for D and no
# probability for C; the course reads C as "still engaged, at least 20 %" and D as
# everything below (`GRADING.c_min_probability`).
#
# Some accounts earn a grade by *who they are*, whatever the deal: a customer of wide
# influence (many large projects, others follow its choice) or a system customer that
# buys for its subsidiaries is an A; a loyal customer with no need for six months who
# promotes us and refers others is a B. These "or" clauses can only raise a grade.
# Our CRM has no such flags, so here is what they do on four made-up prospects:

# %%
demo = pd.DataFrame({
    "probability": [0.90, 0.60, 0.30, 0.10],
    "expected_close": pd.to_datetime(["2026-01-15", "2026-03-10", "2026-09-30", "2026-12-31"]),
    "wide_influence": [False, False, True, False],
    "loyal_referrer": [False, False, False, True],
}, index=["P1", "P2", "P3", "P4"])
demo["grade"] = grade_by_probability(demo["probability"], demo["expected_close"], "2025-12-31")
demo["grade with the or-clauses"] = grade_by_probability(
    demo["probability"], demo["expected_close"], "2025-12-31",
    wide_influence=demo["wide_influence"], loyal_referrer=demo["loyal_referrer"])
assert demo["grade"].tolist() == ["A", "B", "C", "D"]
assert demo["grade with the or-clauses"].tolist() == ["A", "B", "A", "B"]
format_table(demo)

# %% [markdown]
# Now the whole open pipeline. Version 2 follows the pipeline category of lesson 7
# closely: active prospect 3 (verbal yes) is almost always A, prospect 2 is B, prospect 1
# is C, and bare opportunities and first appointments are D.

# %%
open_opps["grade_v2"] = grade_by_probability(open_opps["probability"],
                                             open_opps["expected_close_date"], AS_OF)
by_stage = pd.crosstab(open_opps["stage"].astype(str), open_opps["grade_v2"])
by_stage = by_stage.reindex([s for s in schema.OPEN_STAGES if s in by_stage.index])
by_stage.index.name, by_stage.columns.name = "pipeline stage", "grade (version 2)"
display(format_table(by_stage))

both = pd.crosstab(open_opps["grade_v1"], open_opps["grade_v2"])
both.index.name, both.columns.name = "version 1 (time)", "version 2 (probability and date)"
format_table(both)

# %% [markdown]
# The two versions disagree a lot, and they should: version 1 asks only *when*, version
# 2 asks *when and how sure*. A deal expected next month at 30 % is an A by time but a C
# by the workbook. Version 2 is the stricter of the two; few deals are A under it.
#
# How much money sits in each grade? The open value (预计成交金额) counts every deal in
# full, the weighted value multiplies each one by its probability.

# %%
per_grade = open_opps.groupby("grade_v2", observed=False).agg(
    prospects=("opportunity_id", "size"),
    open_value=("expected_value", "sum"),
    mean_probability=("probability", "mean"))
per_grade["weighted_value"] = (open_opps["expected_value"] * open_opps["probability"]).groupby(
    open_opps["grade_v2"], observed=False).sum()
per_grade.index.name = "grade (version 2)"

fig, ax = plt.subplots(figsize=(9, 4.5))
x = np.arange(len(per_grade))
ax.bar(x - 0.2, per_grade["open_value"], 0.4, color="#9ecae1", label="open value (预计成交金额)")
ax.bar(x + 0.2, per_grade["weighted_value"], 0.4, color="#08306b", label="weighted by probability")
ax.set_xticks(x, [f"grade {g}" for g in per_grade.index])
ax.yaxis.set_major_formatter(FuncFormatter(short))
ax.set_title("Open pipeline value by grade (version 2)")
ax.set_ylabel(label("value"))
ax.legend()
plt.show()
format_table(per_grade, money=["open_value", "weighted_value"])

# %% [markdown]
# ### Prospects per grade, rep by rep
#
# The same grades, counted per rep, in both versions side by side. A team too large for
# one chart (more than `CHART_ROWS`, 30 reps) is cut to the reps with the most open
# prospects, and the title says so; this and the charts below use `top_rows` for it.

# %%
reps = sorted(open_opps["rep_id"].unique())
prospects = open_opps["rep_id"].value_counts().reindex(reps).to_frame("open prospects")
shown, caption = top_rows(prospects, by="open prospects", why="with the most open prospects")
fig, axes = plt.subplots(1, 2, figsize=(13, 7), sharey=True)
for ax, col, title in [(axes[0], "grade_v1", "Version 1: time to close"),
                       (axes[1], "grade_v2", "Version 2: probability and date")]:
    counts = pd.crosstab(open_opps["rep_id"], open_opps[col]).reindex(index=list(shown.index),
                                                                      columns=list(GRADES), fill_value=0)
    left = np.zeros(len(counts))
    for grade, colour in zip(GRADES, GRADE_COLOURS):
        ax.barh(counts.index, counts[grade], left=left, color=colour, label=f"grade {grade}")
        left += counts[grade].to_numpy()
    ax.set_title(title)
    ax.set_xlabel("open prospects")
axes[0].invert_yaxis()
axes[0].set_ylabel("sales rep (销售人员)")
axes[1].legend(loc="lower right")
fig.suptitle("Open prospects per grade and rep (客户分级)" + (f"\n{caption}" if caption else ""),
             fontsize=18, y=1.04 if caption else 0.98)   # two lines: above the panels' titles
plt.show()

# %% [markdown]
# **What a manager does with this.** Grade A is next month's revenue: go through each A
# with its rep by name and ask what stands between it and a signature. A rep whose bar
# is all D is busy but not close to anything and needs help qualifying; a rep with a
# long B segment has many evaluations running at once and may need help closing (lesson
# 7 calls this a pile-up). When the two versions disagree on a deal, ask for the
# evidence: a close date without the probability to match is a wish.

# %% [markdown]
# ## 3. Important and general users (重要用户 / 一般用户)
#
# A grade belongs to a deal and changes month by month; **importance** belongs to the
# organisation and changes slowly. The source counts as important a user with a high
# industry profile and influence, heavy use of the software with room for add-ons and
# the means to pay, top-down reach over a system of subsidiaries, or loyal individual
# advocates. Everyone else, with small or unclear add-on potential or a one-off
# purchase, is a general user. The course turns this into three measurable criteria
# (`GRADING`) and keeps the rest as optional flags:
#
# $$
# \text{important} \iff
# \underbrace{E \ge 40}_{\text{large}}
# \;\lor\;
# \underbrace{E - S \ge 20}_{\text{add-on potential}}
# \;\lor\;
# \underbrace{R_{12} \ge 19{,}000 \text{ CNY}}_{\text{able to pay}}
# \;\lor\; \text{flagged}
# $$
#
# with $E$ the organisation's cost estimators (预算员), $S$ the seats of our software
# it owns, and $R_{12}$ its revenue with us over the last 12 months (CNY); ¥19,000 is
# the key-customer threshold of the pyramid in lesson 3.

# %%
revenue_12m = period.revenue_by_customer(crm.orders, *period.window(AS_OF))   # the last 12 months
imp = user_importance(crm.customers, revenue_12m,
                      important_revenue=important_revenue_for(crm))   # the key cut-off, lesson 3
layer = crm.customers.set_index("customer_id")["status_layer"].astype(str)

table = pd.crosstab(layer, imp["importance_zh"]).reindex(["customer", "inactive", "prospect", "suspect"])
table.index.name = "layer"
print("organisations meeting each criterion:",
      ", ".join(f"{c} {int(imp[c].sum())}" for c in ["large", "add_on", "able_to_pay"]))
format_table(table)

# %% [markdown]
# Most important users are buying customers who pay more than ¥19,000 a year; among
# organisations that have not bought yet, only size and headroom can make them
# important. The cadence below gives every important account at least one contact a
# week, whatever the grade of its deal.
#
# **What a manager does with this.** Important users get a named plan: a weekly call or
# visit, greetings at the holidays, priority service, and the ambition to make them the
# reference of their trade (行业标杆). General users get care once a month and are
# watched for "seed users" (种子用户) who could grow. Check that no important account is
# left without a rep's weekly contact.

# %% [markdown]
# ## 4. Market space (市场空间分类)
#
# Market space asks two questions of an organisation: how much more could it buy, and
# how much of it do we already have? With $E$ estimators and $S$ of our seats,
#
# $$
# \text{headroom} = E - S \text{ seats}, \qquad \text{penetration} = \frac{S}{E}.
# $$
#
# Potential is high from 5 seats of headroom; our penetration is high from 50 %. The
# source's four classes, in the course's reading:
#
# | | low penetration (< 50 %) | high penetration (≥ 50 %) |
# |---|---|---|
# | **high potential** (headroom ≥ 5) | **A**: room to grow, little of it ours | **B**: large, already largely ours |
# | **low potential** (headroom < 5) | **C**: small, little of it ours | **D**: small and already ours |

# %%
customers = crm.customers.set_index("customer_id")
space = market_space(customers["estimators"], customers["seats_owned"])
headroom = (customers["estimators"] - customers["seats_owned"]).clip(lower=0)

cross = pd.crosstab(space, layer).reindex(columns=["customer", "inactive", "prospect", "suspect"],
                                          fill_value=0)
cross["unsold seats"] = headroom.groupby(space, observed=False).sum()
cross["share of unsold seats"] = (cross["unsold seats"] / cross["unsold seats"].sum()).round(3)
cross.index.name = "market space"

fig, ax = plt.subplots(figsize=(9, 4.5))
labels = ["A high potential,\nlow penetration", "B high potential,\nhigh penetration",
          "C low potential,\nlow penetration", "D low potential,\nhigh penetration"]
bars = ax.bar(labels, cross["unsold seats"], color=GRADE_COLOURS)
ax.bar_label(bars, labels=[f"{s:.0%}" for s in cross["share of unsold seats"]], fontsize=13)
ax.set_title("Where the unsold seats are (市场空间分类)")
ax.set_ylabel("headroom: estimators − our seats (seats)")
plt.show()
format_table(cross, count="unsold seats")

# %% [markdown]
# Almost all our buying customers are D: they already run our software on most of their
# estimators' desks, so the seats still to sell are elsewhere, in class A, among the
# prospects and suspects.
#
# **What a manager does with this.** Class A is the hunting ground for new seats: put
# first appointments there (lesson 7). Class B customers are large and already ours:
# protect and upgrade them. Class D customers need service and renewals more than sales
# calls; class C is for the phone and for events, not for visits.

# %% [markdown]
# ## 5. Contact cadence by grade (维护原则)
#
# The grade decides how often the account hears from us. The source's rules:
#
# * **A**: at least a visit or two calls every week; know the three kinds of people
#   (decision maker, influencer, user) and the organisation chart;
# * **B**: a call every week and a visit every second week; watch needs and competitors,
#   and develop an inside contact (内线);
# * **C**: a call every second week and at least a visit a month;
# * **D** (general-user care): a call a month.
#
# The course plans an A with both the visit *and* the two calls. Rates are given per
# week; a month has $365.25 / 12 / 7 \approx 4.35$ weeks, so
#
# $$
# \text{visits a month} = \text{visits a week} \times 4.35, \qquad
# \text{contacts a month} = (\text{visits} + \text{calls a week}) \times 4.35 .
# $$

# %%
cadence = contact_cadence()
assert cadence["visits_per_week"].tolist() == [1.0, 0.5, 0.25, 0.0]
assert cadence["calls_per_week"].tolist() == [2.0, 1.0, 0.5, 0.25]
assert cadence.loc["B", "cadence"] == "1 visit every 2 weeks, 1 call a week"
assert cadence.loc["C", "cadence"] == "1 visit every 4 weeks, 1 call every 2 weeks"
assert round(WEEKS_PER_MONTH, 2) == 4.35
format_table(cadence[["cadence", "cadence_zh", "visits_per_month", "calls_per_month",
                      "contacts_per_month", "focus"]], decimals=2)

# %% [markdown]
# **What a manager does with this.** The cadence is a promise to the customer and a
# plan for the rep's week: put the A visits in the diary first, then the B calls, and
# fill the rest with C and D. Each grade also says what the contact is *for*: at an A,
# map the decision makers, influencers and users; at a B, find out what the competitor
# offers and win an inside contact.

# %% [markdown]
# ## 6. What the cadence costs each rep (工作量)
#
# Grade each **account** once, by its best open deal, so an organisation with three
# open opportunities is not visited three times. For rep $r$ with accounts $i$ of grade
# $g_i$:
#
# $$
# \text{visits}_r = 4.35 \sum_{i} v_{g_i}, \qquad
# \text{calls}_r = 4.35 \sum_{i} \max\!\big(c_{g_i},\; \text{top-up}_i\big),
# $$
#
# where $v_g$ and $c_g$ are the weekly visits and calls of grade $g$, and an important
# account is topped up with calls to at least one contact a week.
#
# What can a rep do in a month? We take what our reps actually log: the visits and
# calls each one recorded per month over the last 12 months, and the median rep's
# average as the **capacity**. That is all the contact work of a month, customers
# included, so a rep whose prospects alone need more than that cannot keep the
# cadence.

# %%
best = (open_opps.sort_values("grade_v2")                       # A first
        .groupby("customer_id", observed=True)[["grade_v2", "rep_id"]].first())
importance = imp["importance"].reindex(best.index).fillna("general")
workload = rep_workload(best["grade_v2"], best["rep_id"], importance)

acts = crm.activities
if acts is not None and len(acts):
    recent = period.in_window(acts, *period.window(AS_OF), column="activity_date")
    recent = recent[recent["activity_type"].isin(["visit", "call"])]
    logged = recent.groupby(["rep_id", recent["activity_date"].dt.to_period("M")]).size()
    CAPACITY = int(logged.groupby(level=0).mean().median())
else:
    CAPACITY = 50   # no activity log: an assumption, change it to your reps' reality
print(f"{len(best)} accounts graded; capacity: {CAPACITY} visits and calls per rep per month")
format_table(workload, decimals=1)


# %%
def plot_workload(w, capacity, title):
    over = w["contacts_per_month"] > capacity           # every rep, drawn or not
    shown, caption = top_rows(w, by="contacts_per_month", why="with the most visits and calls a month")
    fig, ax = plt.subplots(figsize=(12, 5.5))
    ax.bar(shown.index, shown["visits_per_month"], color="#08306b", label="visits (拜访)")
    ax.bar(shown.index, shown["calls_per_month"], bottom=shown["visits_per_month"], color="#9ecae1",
           label="calls (电话)")
    ax.axhline(capacity, color="#d62728", ls="--", lw=2, label=f"capacity: {capacity} a month")
    for i, rep in enumerate(shown.index):
        if over[rep]:                                   # upright "over" fits 20 bars, not 30
            ax.text(i, shown.loc[rep, "contacts_per_month"] + 1, "over", ha="center",
                    color="#d62728", fontsize=12, rotation=90 if len(shown) > 20 else 0)
    ax.set_title(title + (f"\n{caption}" if caption else ""))
    ax.set_xlabel("sales rep (销售人员)")
    ax.set_ylabel("contacts per month")
    ax.tick_params(axis="x", rotation=60)
    ax.legend(loc="upper right" if caption else "upper left")   # the busiest rep comes first
    plt.show()
    return int(over.sum())


n_over = plot_workload(workload, CAPACITY, "Monthly visits and calls the cadence asks of each rep")
print(f"{n_over} of {len(workload)} reps need more than {CAPACITY} contacts a month for their prospects alone")


# %% [markdown]
# **What a manager does with this.** A rep over the line has three ways out, and the
# choice is the manager's: hand some accounts to a rep with room below the line; lower
# the cadence of the C and D accounts, replacing visits by calls and by invitations to
# events; or push the pile of B accounts to a decision, so they become customers or
# fall back. A rep far below the line has room for prospecting, and should be asked
# where the next A will come from.

# %% [markdown]
# ### Try it: grade thresholds and cadence
#
# Change what it takes to be an A or a B (version 2) and how many visits and calls each
# grade gets **a month**; the chart and the table follow. The cadence sliders count
# whole contacts: 4 visits a month stands for "one a week". Before moving a slider,
# guess which reps will cross the line.

# %%
def workload_what_if(a_probability=0.75, b_probability=0.50, a_within_months=1, b_within_months=3,
                     a_visits=4.0, a_calls=8.0, b_visits=2.0, b_calls=4.0,
                     c_visits=1.0, c_calls=2.0, d_calls=1.0, capacity=CAPACITY):
    if a_probability < b_probability or a_within_months > b_within_months:
        print("Grade A must ask at least as much as grade B: raise A's probability or "
              "shorten A's months.")
        return None
    grade = grade_by_probability(open_opps["probability"], open_opps["expected_close_date"], AS_OF,
                                 min_probability=(a_probability, b_probability),
                                 within_months=(a_within_months, b_within_months))
    accounts = (open_opps.assign(grade=grade).sort_values("grade")
                .groupby("customer_id", observed=True)[["grade", "rep_id"]].first())
    per_week = WEEKS_PER_MONTH
    w = rep_workload(accounts["grade"], accounts["rep_id"],
                     imp["importance"].reindex(accounts.index).fillna("general"),
                     visits_per_week=np.array([a_visits, b_visits, c_visits, 0.0]) / per_week,
                     calls_per_week=np.array([a_calls, b_calls, c_calls, d_calls]) / per_week)
    n_over = plot_workload(w, capacity, "Monthly visits and calls per rep under this policy")
    print(f"{n_over} rep(s) over capacity; the team owes {w['visits_per_month'].sum():,.0f} "
          f"visits and {w['calls_per_month'].sum():,.0f} calls a month")
    table, caption = top_rows(w.assign(over_capacity=w["contacts_per_month"] > capacity),
                              by="contacts_per_month", why="with the most visits and calls a month")
    if caption:
        print(f"{caption}; the counts above are of all {len(w):,}")
    display(format_table(table, decimals=1))
    return w


pct = dict(min=0.20, max=1.0, step=0.05, readout_format=".0%")
what_if(workload_what_if,
        a_probability=widgets.FloatSlider(value=0.75, description="A: min p", **pct),
        b_probability=widgets.FloatSlider(value=0.50, description="B: min p", **pct),
        a_within_months=widgets.IntSlider(value=1, min=1, max=6, description="A: months"),
        b_within_months=widgets.IntSlider(value=3, min=1, max=12, description="B: months"),
        a_visits=widgets.FloatSlider(value=4, min=0, max=8, step=1, description="A visits/mo"),
        a_calls=widgets.FloatSlider(value=8, min=0, max=16, step=1, description="A calls/mo"),
        b_visits=widgets.FloatSlider(value=2, min=0, max=8, step=1, description="B visits/mo"),
        b_calls=widgets.FloatSlider(value=4, min=0, max=16, step=1, description="B calls/mo"),
        c_visits=widgets.FloatSlider(value=1, min=0, max=4, step=0.5, description="C visits/mo"),
        c_calls=widgets.FloatSlider(value=2, min=0, max=8, step=1, description="C calls/mo"),
        d_calls=widgets.FloatSlider(value=1, min=0, max=4, step=0.5, description="D calls/mo"),
        capacity=widgets.IntSlider(value=CAPACITY, min=0, max=max(150, 2 * CAPACITY), step=1,
                                   description="capacity"));   # step 1: starts on CAPACITY

# %% [markdown]
# ## Your turn
#
# Four exercises. Replace `None` with your code and run the cell: the check says
# *correct*, or *not yet* with what is off. `q1.hint()` gives a hint. Solutions are
# folded below each exercise.

# %%
q1 = Check("Exercise 1", lambda: int((grade_by_time_to_close(open_opps["expected_close_date"], AS_OF,
                                                             close_months=(2, 6, 12)) == "A").sum()),
           hint="grade_by_time_to_close with close_months=(2, 6, 12), then count the A grades")
q2 = Check("Exercise 2", lambda: workload["visits_per_month"].idxmax(),
           hint="rep_workload gives visits_per_month per rep; which rep has the largest?")
q3 = Check("Exercise 3", lambda: float(headroom[space == "A"].sum() / headroom.sum()),
           hint="add up the headroom (estimators − seats owned) of class A, divide by all headroom")
q4 = Check("Exercise 4", lambda: float(rep_workload(best["grade_v2"], best["rep_id"], importance,
                                                    visits_per_week=(1.0, 0.25, 0.25, 0.0))
                                       ["visits_per_month"].sum()),
           hint="rep_workload with visits_per_week=(1.0, 0.25, 0.25, 0.0), then the total of visits_per_month")

# %% [markdown]
# **Exercise 1.** A manager wants grade A (version 1) to mean "closes within **two**
# months" instead of three, keeping B at six and C at twelve. How many open
# opportunities are grade A then?

# %% exercise={"id": "q1", "wrong": "answer_q1 = int((open_opps['grade_v1'] == 'A').sum())"}
answer_q1 = None
q1(answer_q1)

# %% [markdown] solution="q1"
# <details><summary>Solution</summary>
#
# ```python
# tighter = grade_by_time_to_close(open_opps["expected_close_date"], AS_OF, close_months=(2, 6, 12))
# answer_q1 = int((tighter == "A").sum())
# ```
#
# The thresholds are arguments: pass `close_months` and the grades move. The old A column (three months) counts the deals of month three as A too.
# </details>

# %% [markdown]
# **Exercise 2.** Under the default cadence, which rep (`rep_id`) owes the most **visits**
# a month to the accounts they are grading?

# %% exercise={"id": "q2", "wrong": "answer_q2 = open_opps['rep_id'].value_counts().idxmax()"}
answer_q2 = None
q2(answer_q2)

# %% [markdown] solution="q2"
# <details><summary>Solution</summary>
#
# ```python
# answer_q2 = workload["visits_per_month"].idxmax()
# ```
#
# Visits follow the grades, not the number of deals: a rep with many B accounts (a visit a fortnight each) owes more visits than one with more deals that are mostly D (no scheduled visit).
# </details>

# %% [markdown]
# **Exercise 3.** What share of all unsold seats (headroom = estimators − seats owned,
# over every organisation in the CRM) sits with market-space class A organisations?
# Answer as a fraction.

# %% exercise={"id": "q3", "wrong": "answer_q3 = float((space == 'A').mean())"}
answer_q3 = None
q3(answer_q3)

# %% [markdown] solution="q3"
# <details><summary>Solution</summary>
#
# ```python
# answer_q3 = float(headroom[space == "A"].sum() / headroom.sum())
# ```
#
# Weigh each organisation by its seats to sell, not count organisations: the share of class A organisations is not the share of the seats still to sell.
# </details>

# %% [markdown]
# **Exercise 4.** To save time, B accounts would get one visit every four weeks (0.25 a
# week) instead of one every two; everything else stays at the default. How many visits
# a month would the whole team then owe?

# %% exercise={"id": "q4", "wrong": "answer_q4 = float(workload['visits_per_month'].sum())"}
answer_q4 = None
q4(answer_q4)

# %% [markdown] solution="q4"
# <details><summary>Solution</summary>
#
# ```python
# lighter = rep_workload(best["grade_v2"], best["rep_id"], importance,
#                        visits_per_week=(1.0, 0.25, 0.25, 0.0))
# answer_q4 = lighter["visits_per_month"].sum()
# ```
#
# Only the B entry of `visits_per_week` changes; the calls and the important top-up stay. Compare with the default total to see how many visits a month the change frees.
# </details>

# %% [markdown]
# ## Next
#
# Lesson 7 follows the same prospects through the funnel: how many first appointments a
# target needs, and what a healthy pipeline looks like.
