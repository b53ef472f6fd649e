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
# # 1. Needs, target-customer profiles and communication styles (客户需求分析, 客户画像)
#
# Before counting customers, understand them: what they need, who they are, and how
# they like to be spoken to. This lesson turns the CRM into a **customer profile**
# (客户画像) and sets out the methods a rep uses in front of the customer.
#
# **In this lesson you will**
#
# * follow the five steps of a needs analysis (客户需求分析) and the questioning methods SPIN and FAB(E);
# * profile our customers: who buys, how much, where, and who decides;
# * read the source's case of a fuel company's customer segments;
# * match your talk to four buyer types (客户个性).

# %% [markdown]
# ## Where the data comes from
#
# `DATA = None` uses the bundled data (or `$CUSTLIB_DATA`); put the path of your export in
# quotes to use yours, with its `MAPPING` file if its columns carry your own names (see
# lesson 0). Sections your data cannot feed say so in one line and the lesson goes on.

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
from custlib.course import what_if
from custlib.course.sections import unknown_as  # also registers %%needs

# the course's chart style, the data, and the analysis window: the last 12 months
# up to the analysis date (分析日期), both ends included
crm, (YEAR_START, AS_OF) = course.setup(DATA, MAPPING, AS_OF)
revenue = period.revenue_by_customer(crm.orders, YEAR_START, AS_OF)
buyers = crm.customers[crm.customers["customer_id"].isin(revenue.index)].copy()
buyers["revenue"] = buyers["customer_id"].map(revenue)
print(f"{len(buyers):,} customers bought in the 12 months to {AS_OF.date()}")

# %% [markdown]
# ## 1. Needs analysis in five steps (客户需求分析)
#
# 1. **identify** the needs (需求识别): market research, customer feedback;
# 2. **define** them (需求定义) precisely enough to act on;
# 3. **classify** them (需求分类) by nature and priority;
# 4. **prioritise** (需求优先级排序) by urgency, importance and cost;
# 5. **validate** them with the customer (需求验证).
#
# Feedback comes through questionnaires, online surveys, calls and e-mail, and complaints
# and suggestions; it is sorted, analysed and acted on — continuously, not once.
#
# In front of a key account, two methods structure the talk:
#
# * **SPIN**: ask about the **S**ituation, the **P**roblem, its **I**mplication, and the
#   **N**eed-payoff (what solving it is worth to them);
# * **FAB(E)**: present a **F**eature, its **A**dvantage, the **B**enefit to this customer, and **E**vidence.
#
# In a trust-based key-account sale the time divides roughly: build trust 40 %,
# discover needs 30 %, present the product 20 %, close 10 %.

# %%
time_split = pd.Series({"build trust (建立信任)": 0.40, "discover needs (发现需求)": 0.30,
                        "present the product (介绍产品)": 0.20, "close (成交)": 0.10},
                       name="share of time")
assert abs(time_split.sum() - 1) < 1e-12
fig, ax = plt.subplots(figsize=(7, 3))
ax.barh(time_split.index[::-1], time_split.to_numpy()[::-1], color="#2171b5")
ax.set_title("Where the time goes in a trust-based key-account sale")
ax.set_xlabel("share of the selling time")
plt.show()


# %% [markdown]
# ## 2. The target-customer profile (客户画像)
#
# A profile describes the target market, the customers' basics (for organisations:
# industry, size, ownership, location), their needs and preferences (functional:
# performance, quality, price; non-functional: brand, experience, service), and how
# they buy (frequency, amount, channel). Our CRM holds the organisation type
# (单位类型: owner 甲方, contractor 乙方, intermediary 中介, other), the business line
# (专业), the province and the number of cost estimators (预算员人数).

# %%
# %%needs customers.org_type customers.business_line customers.province
def profile(dimension="org_type", measure="revenue per customer"):
    g = buyers.groupby(unknown_as(buyers[dimension]), observed=True)   # blanks count as "unknown"
    t = pd.DataFrame({"customers": g.size(), "revenue": g["revenue"].sum()})
    t["revenue per customer"] = t["revenue"] / t["customers"]
    t["share of revenue"] = t["revenue"] / t["revenue"].sum()
    t = t.sort_values(measure, ascending=False).head(12)
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar(t.index.astype(str), t[measure], color="#6baed6")
    if measure != "customers" and measure != "share of revenue":
        ax.yaxis.set_major_formatter(FuncFormatter(short))
    ax.set_title(f"Customer profile: {measure} by {dimension}")
    ax.tick_params(axis="x", rotation=45)
    plt.show()
    display(format_table(t, money="revenue per customer"))

what_if(profile, dimension=["org_type", "business_line", "province"],
        measure=["revenue per customer", "customers", "revenue", "share of revenue"]);

# %%
# %%needs customers.estimators
size = pd.cut(buyers["estimators"], [0, 5, 10, 20, 50, 10_000],
              labels=["1-5", "6-10", "11-20", "21-50", "over 50"], include_lowest=True)
by_size = buyers.groupby(size, observed=False)["revenue"].agg(["size", "mean"])
by_size.columns = ["customers", "revenue per customer"]
ax = by_size["revenue per customer"].plot.bar(rot=0, color="#2171b5")
ax.yaxis.set_major_formatter(FuncFormatter(short))
ax.set_title("Revenue per customer by number of cost estimators")
ax.set_xlabel("cost estimators (预算员人数)")
ax.set_ylabel(label("revenue, last 12 months"))
plt.show()

# %% [markdown]
# **What a manager does with this.** The profile says where to look for the next
# customers: organisations that look like the best current ones (type, line, size,
# province). Update it every year; it drifts.

# %% [markdown]
# ### Who decides? Contacts by role
#
# Each contact has a role in the buying decision: **decision maker** (决策层),
# **influencer** (影响层), **user** (执行层) or **coach** (教练, a friend inside).

# %%
# %%needs contacts.role
roles = crm.contacts["role"].value_counts()
format_table(roles.to_frame("contacts"))

# %% [markdown]
# ### The source's case: a regional fuel company's gasoline customers (汽油客户)
#
# | segment | size | what they care about |
# |---|---|---|
# | independent gas stations (社会加油站) | ~2,500 t/month in total, ~10 t/month each | price, almost only |
# | government and institutional fleets (政府机关及企事业单位) | ~15,000 vehicles, 25 % of gasoline use | brand, quality, service, easy fleet management; price-insensitive; pay reliably |
# | taxis (出租车) | ~2,000 vehicles, 10 % of use | price and discounts; refuel near shift changes; cash |
# | private cars, motorcycles | — | — |
#
# The fleets are the priority segment: large, loyal, paying, and won on service rather
# than on price — the profile, not the size alone, picks the target.

# %%
fuel = pd.DataFrame({"share of gasoline use": [0.25, 0.10], "vehicles": [15_000, 2_000]},
                    index=["fleets (政府机关及企事业单位)", "taxis (出租车)"])
assert abs(fuel["share of gasoline use"].sum() - 0.35) < 1e-12
fuel["use per vehicle (relative)"] = fuel["share of gasoline use"] / fuel["vehicles"]
format_table(fuel)

# %% [markdown]
# A taxi uses about three times as much fuel as a fleet vehicle (0.10/2,000 against
# 0.25/15,000), yet the fleets are the better segment: they are worth more in total,
# they pay, and they do not switch for a discount.

# %% [markdown]
# ## 3. Personality and communication style (客户个性分析)
#
# Four buyer types, each with its own talk track:

# %%
styles = pd.DataFrame([
    ("rational", "理性型", "facts, data, function", "bring numbers: time saved per estimate, error rates"),
    ("emotional", "感性型", "look, feel, experience", "let them try the software; show real projects"),
    ("leader", "领导型", "authority, status, competitive edge", "talk results and standing in the industry; be brief"),
    ("stable", "稳定型", "reliability, safety, durability", "references, support, training; no pressure"),
], columns=["type", "中文", "what convinces", "how to talk"]).set_index("type")
format_table(styles)

# %% [markdown]
# Other typologies exist: Holland-style preferences (investigative, social,
# conventional, enterprising) and a four-style model — analytical (分析型), authority
# (权威型), amiable (和群型) and expressive (表现型). The point is the same: listen first,
# then speak the customer's language.

# %% [markdown]
# ## Your turn
#
# Replace `None` with your answer and run the cell: the check says *correct*, or *not yet* with what is off. Solutions are hidden below each one.

# %%
q1 = Check("Exercise 1", lambda: buyers.groupby("org_type", observed=True)["revenue"].mean().idxmax(),
           hint="group the buyers by org_type, take the mean revenue, find the largest")
q2 = Check("Exercise 2", lambda: float((buyers["org_type"] == "contractor").mean()),
           hint="the share of buying customers whose org_type is contractor")
q3 = Check("Exercise 3", lambda: buyers.groupby(unknown_as(buyers["province"]), observed=True)["revenue"].sum().idxmax(),
           hint="total revenue per province, then the largest")
q4 = Check("Exercise 4", lambda: 0.40 * 20,
           hint="the trust-building share of the selling time")

# %% [markdown]
# **Exercise 1.** Which organisation type (`org_type`) brings the most revenue *per customer*?

# %% exercise={"id": "q1", "wrong": "answer_q1 = buyers.groupby('org_type', observed=True)['revenue'].sum().idxmax()"}
# %%needs --exercise customers.org_type
answer_q1 = None
q1(answer_q1)

# %% [markdown] solution="q1"
# <details><summary>Solution</summary>
#
# ```python
# answer_q1 = buyers.groupby("org_type", observed=True)["revenue"].mean().idxmax()
# ```
#
# Per customer means the mean, not the total: a type can be large in total only because it is numerous.
# </details>

# %% [markdown]
# **Exercise 2.** What share of buying customers are contractors (乙方)? Answer as a fraction.

# %% exercise={"id": "q2", "wrong": "answer_q2 = int((buyers['org_type'] == 'contractor').sum())"}
# %%needs --exercise customers.org_type
answer_q2 = None
q2(answer_q2)

# %% [markdown] solution="q2"
# <details><summary>Solution</summary>
#
# ```python
# answer_q2 = (buyers["org_type"] == "contractor").mean()
# ```
#
# A share is a count divided by the total.
# </details>

# %% [markdown]
# **Exercise 3.** Which province brings the most revenue in total?

# %% exercise={"id": "q3", "wrong": "answer_q3 = buyers.groupby('province')['revenue'].mean().idxmax()"}
# %%needs --exercise customers.province
answer_q3 = None
q3(answer_q3)

# %% [markdown] solution="q3"
# <details><summary>Solution</summary>
#
# ```python
# answer_q3 = buyers.groupby("province")["revenue"].sum().idxmax()
# ```
#
# In total, not per customer: a province with one very large customer can top the average and still be small.
# </details>

# %% [markdown]
# **Exercise 4.** A key-account sale takes 20 hours of a rep's time. Following the 40/30/20/10 split, how many hours go to building trust?

# %% exercise={"id": "q4", "wrong": "answer_q4 = 20 * 0.10"}
answer_q4 = None
q4(answer_q4)

# %% [markdown] solution="q4"
# <details><summary>Solution</summary>
#
# ```python
# answer_q4 = 0.40 * 20
# ```
#
# Trust comes first and takes the largest share: 8 hours; closing takes only 2.
# </details>

# %% [markdown]
# ## Next
#
# Lesson 2 follows customers through their lifecycle and adds up what they are worth.
