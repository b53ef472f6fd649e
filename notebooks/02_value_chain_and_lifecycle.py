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
# # 2. The CRM value chain, the customer lifecycle and lifetime profit (客户生命周期)
#
# This lesson follows a customer from first attention to lifetime profit: the chain
# from what the organisation does to the profit it earns, the stages a customer passes
# through (客户生命周期), and what a customer is worth over the whole relationship. Why
# manage customers at all? Because profit is made by customers, over time.
#
# **In this lesson you will**
#
# * walk the CRM value chain (CRM 价值链) from attention to profit;
# * place every customer in a lifecycle stage (客户生命周期), in two stage schemes, from its order history;
# * say what management task each stage calls for;
# * decompose a customer's lifetime profit (客户生命周期利润) into its seven components.

# %% [markdown]
# ## Where the data comes from
#
# `DATA = None` uses the bundled data (or `$CUSTLIB_DATA`); put the path of your export in
# quotes to use yours, with its `MAPPING` file if its columns carry your own names (see
# lesson 0). The lifecycle needs nothing but the orders; lifetime profit also needs
# their cost and product line.

# %% tags=["parameters"]
DATA = None     # None: the bundled data (or $CUSTLIB_DATA); or "/path/to/your/export", a folder or one file
MAPPING = None  # None: columns already named as in the input contract (or $CUSTLIB_MAPPING); or "/path/to/mapping.toml"
AS_OF = None    # None: the analysis date stated with the data, else its last dated row; or "2025-12-31"

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from custlib import course
from custlib.course.exercises import Check
from custlib.lifecycle import SCHEMES, lifecycle_features, lifecycle_stage, stage_tasks
from custlib.money import money, short
from custlib.plotting import format_table
from custlib.course import money_slider, what_if
from custlib.policy import LIFECYCLE
from custlib.course.sections import needs  # also registers %%needs
from custlib.value import LIFETIME_COMPONENTS, lifetime_profit, profit_from_orders

# the course's chart style, the data, and the analysis window: the last 12 months
# up to the analysis date (分析日期), both ends included
crm, (YEAR_START, AS_OF) = course.setup(DATA, MAPPING, AS_OF)

# %% [markdown]
# ## 1. The CRM value chain (CRM 价值链)
#
# Organisation, communication and information lead to **customer attention** (客户关注),
# attention to **satisfaction** (客户满意度), satisfaction to **behaviour** (客户行为:
# buying again, buying more, referring), behaviour to **customer value** (客户价值),
# value to **customer performance** (客户表现), and performance to **profit** (利润).
# Do the right things, and do them right: profit is the last link, not the first.

# %%
chain = [("organisation ·\ncommunication ·\ninformation", "组织·沟通·信息"), ("attention", "客户关注"),
         ("satisfaction", "客户满意度"), ("behaviour", "客户行为"), ("value", "客户价值"),
         ("performance", "客户表现"), ("profit", "利润")]
fig, ax = plt.subplots(figsize=(13, 2.6))
for i, (en, zh) in enumerate(chain):
    ax.add_patch(plt.Rectangle((i * 1.5, 0), 1.2, 1, color=plt.cm.Blues(0.25 + 0.1 * i)))
    ax.text(i * 1.5 + 0.6, 0.5, f"{en}\n{zh}", ha="center", va="center", fontsize=10)
    if i < len(chain) - 1:
        ax.annotate("", (i * 1.5 + 1.5, 0.5), (i * 1.5 + 1.2, 0.5), arrowprops={"arrowstyle": "->"})
ax.set_xlim(-0.1, len(chain) * 1.5)
ax.set_ylim(-0.1, 1.1)
ax.set_axis_off()
ax.set_title("The CRM value chain: from attention to profit")
plt.show()

# %% [markdown]
# ## 2. The customer lifecycle (客户生命周期)
#
# A customer's life runs from the first time they hear of us to the day the relationship
# is settled. Two stage schemes are in use:
#
# | operator scheme (telecom) | textbook scheme | the task |
# |---|---|---|
# | acquisition 客户获取 | exploration 考察期 | attract and win |
# | growth 客户提升 | development 发展期 | raise value |
# | maturity 客户成熟 | stability 稳定期 | keep satisfaction high, for long |
# | decline 客户衰退 | decline 衰退期 | warn early, recover or end |
# | exit 客户离网 | (decline) | win back |
#
# `custlib` reads the stage off the order history with three measures, all in days or
# fractions: **tenure** (days since the first order), **recency** (days since the last),
# and **trend** — revenue of the last 365 days against the 365 before, minus one. The
# rules, in order: no order in the last year → exit; first order within a year →
# acquisition; trend below −10 % → decline; above +10 % → growth; else maturity.
# Every threshold is a named policy you can change.

# %%
features = lifecycle_features(crm.orders, AS_OF)
stages = pd.DataFrame({scheme: lifecycle_stage(features, scheme) for scheme in SCHEMES})
counts = {s: stages[s].value_counts(sort=False) for s in SCHEMES}
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for ax, (scheme, c) in zip(axes, counts.items()):
    names = dict(SCHEMES[scheme])
    ax.bar([f"{k}\n{names[k]}" for k in c.index], c.to_numpy(), color="#6baed6")
    ax.set_title(f"{scheme} scheme")
    ax.set_ylabel("customers")
fig.suptitle(f"Customers by lifecycle stage on {AS_OF.date()}")
plt.show()
format_table(stage_tasks("operator"))


# %% [markdown]
# ### Try it: where are the stage boundaries?

# %%
def stage_rules(exit_days=365, new_days=365, growth=0.10, decline=-0.10):
    s = lifecycle_stage(features, "operator", exit_days=exit_days, new_days=new_days,
                        growth=growth, decline=decline)
    c = s.value_counts(sort=False)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(c.index.astype(str), c.to_numpy(), color="#2171b5")
    ax.set_title("Customers by stage (operator scheme)")
    ax.set_ylabel("customers")
    plt.show()
    display(format_table(c.to_frame("customers").T))

what_if(stage_rules, exit_days=(30, 730, 5), new_days=(30, 730, 5),   # 365 is on the steps
        growth=(0.0, 1.0, 0.05), decline=(-1.0, 0.0, 0.05));

# %% [markdown]
# **What a manager does with this.** The *decline* list is the early-warning list: call
# those customers this month and find out why they buy less. *Growth* customers are
# ready for up-selling; *exit* customers go to a win-back campaign.

# %% [markdown]
# ## 3. Lifetime profit (客户生命周期利润)
#
# What a customer is worth over the relationship, in money:
#
# $$\text{lifetime profit} = \underbrace{\text{base} + \text{cross-sell} + \text{cost savings}
# + \text{referrals}}_{\text{what they bring}} - \underbrace{(\text{acquisition} + \text{concessions}
# + \text{negative referrals})}_{\text{what they cost}}$$
#
# Base profit (基本利润) and cross-/up-sell profit (关联销售利润) can be read from the
# orders, when they carry the cost and the product line; the others must be estimated
# by the team.

# %%
format_table(LIFETIME_COMPONENTS)

# %%
# %%needs orders.cost orders.product_line orders.is_upgrade
from_orders = profit_from_orders(crm.orders)
top = from_orders.sum(axis=1).idxmax()
print(f"customer {top}: base {money(from_orders.loc[top, 'base_profit'])}, "
      f"cross-sell {money(from_orders.loc[top, 'cross_sell_profit'])}")

def waterfall(cost_savings=2_000, referral_revenue=3_000, acquisition_cost=5_000,
              price_concessions=2_000, negative_referral_cost=0):
    parts = {"base_profit": from_orders.loc[top, "base_profit"],
             "cross_sell_profit": from_orders.loc[top, "cross_sell_profit"],
             "cost_savings": cost_savings, "referral_revenue": referral_revenue,
             "acquisition_cost": acquisition_cost, "price_concessions": price_concessions,
             "negative_referral_cost": negative_referral_cost}
    total = lifetime_profit(**parts)["lifetime_profit"].item()
    signed = [parts[k] * LIFETIME_COMPONENTS.loc[k, "sign"] for k in parts]
    starts = np.concatenate([[0], np.cumsum(signed)[:-1]])
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.bar(range(7), signed, bottom=starts, color=["#2ca02c" if v >= 0 else "#d62728" for v in signed])
    ax.bar(7, total, color="#1f77b4")
    ax.set_xticks(range(8), [f"{k}\n{LIFETIME_COMPONENTS.loc[k, 'component_zh']}" for k in parts]
                  + ["lifetime profit"], rotation=45, ha="right")
    ax.yaxis.set_major_formatter(FuncFormatter(short))
    ax.set_title(f"Lifetime profit of customer {top}: {money(total)}")
    plt.show()

what_if(waterfall,
        cost_savings=money_slider(2_000, 0, 20_000, 500, "cost savings"),
        referral_revenue=money_slider(3_000, 0, 20_000, 500, "referrals"),
        acquisition_cost=money_slider(5_000, 0, 20_000, 500, "acquisition"),
        price_concessions=money_slider(2_000, 0, 20_000, 500, "concessions"),
        negative_referral_cost=money_slider(0, 0, 20_000, 500, "negative referrals"));

# %% [markdown]
# **What a manager does with this.** Acquisition cost and concessions are paid at the
# start; the rest accrues year after year. A customer who leaves early never pays back
# the cost of winning them: that is the bridge to lesson 4's retention economics.

# %% [markdown]
# ## Your turn
#
# Replace `None` with your answer and run the cell: the check says *correct*, or *not yet* with what is off. Solutions are hidden below each one.

# %%
q1 = Check("Exercise 1", lambda: int((stages["operator"] == "decline").sum()),
           hint="count the customers whose operator-scheme stage is decline")
q2 = Check("Exercise 2", lambda: float((stages["textbook"] == "stability").mean()),
           hint="the share (a fraction) of customers in the textbook stage stability")
q3 = Check("Exercise 3", lambda: float(lifetime_profit(base_profit=8_000, cross_sell_profit=3_000,
                                                        referral_revenue=1_000, acquisition_cost=4_000,
                                                        price_concessions=1_500)["lifetime_profit"].item()),
           hint="add what the customer brings, subtract what the customer cost")
q4 = Check("Exercise 4", lambda: int((lifecycle_stage(features, exit_days=180) == "exit").sum()),
           hint="lifecycle_stage(features, exit_days=180), then count exit")

# %% [markdown]
# **Exercise 1.** How many customers are in the *decline* stage (客户衰退) of the operator scheme?

# %% exercise={"id": "q1", "wrong": "answer_q1 = int((stages['textbook'] == 'decline').sum())"}
answer_q1 = None
q1(answer_q1)

# %% [markdown] solution="q1"
# <details><summary>Solution</summary>
#
# ```python
# answer_q1 = int((stages["operator"] == "decline").sum())
# ```
#
# In the textbook scheme, decline also holds the operator scheme's exit stage.
# </details>

# %% [markdown]
# **Exercise 2.** What share of customers are in the *stability* stage (稳定期)? Answer as a fraction.

# %% exercise={"id": "q2", "wrong": "answer_q2 = int((stages['textbook'] == 'stability').sum())"}
answer_q2 = None
q2(answer_q2)

# %% [markdown] solution="q2"
# <details><summary>Solution</summary>
#
# ```python
# answer_q2 = (stages["textbook"] == "stability").mean()
# ```
#
# The mean of a True/False column is a share.
# </details>

# %% [markdown]
# **Exercise 3.** A customer brings ¥8,000 base profit, ¥3,000 cross-sell profit and ¥1,000 of referrals; winning them cost ¥4,000 plus ¥1,500 of concessions. What is their lifetime profit (CNY)?

# %% exercise={"id": "q3", "wrong": "answer_q3 = 8_000 + 3_000 + 1_000 + 4_000 + 1_500"}
answer_q3 = None
q3(answer_q3)

# %% [markdown] solution="q3"
# <details><summary>Solution</summary>
#
# ```python
# answer_q3 = lifetime_profit(base_profit=8_000, cross_sell_profit=3_000, referral_revenue=1_000,
#                             acquisition_cost=4_000, price_concessions=1_500)["lifetime_profit"].item()
# ```
#
# 8,000 + 3,000 + 1,000 − 4,000 − 1,500 = ¥6,500: costs are subtracted.
# </details>

# %% [markdown]
# **Exercise 4.** If a customer counted as gone after 180 days without an order (instead of 365), how many would be in *exit*?

# %% exercise={"id": "q4", "wrong": "answer_q4 = int((stages['operator'] == 'exit').sum())"}
answer_q4 = None
q4(answer_q4)

# %% [markdown] solution="q4"
# <details><summary>Solution</summary>
#
# ```python
# answer_q4 = int((lifecycle_stage(features, exit_days=180) == "exit").sum())
# ```
#
# A shorter window moves customers who buy once a year into exit: choose it to match the buying cycle.
# </details>

# %% [markdown]
# ## Next
#
# Lesson 3 ranks the customers: the pyramid and the 80/20 rule.
