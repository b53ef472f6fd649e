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
# # 5. Segmentation schemes and the key-account matrix (客户细分与关键客户选择矩阵)
#
# This lesson splits our customers into segments three classic ways and then picks the
# key accounts on a two-axis matrix, because no sales team can give every customer the
# same time. **Customer segmentation** (客户细分) makes groups that are alike inside and
# different from one another, so each group gets the attention it is worth. For the key accounts the lesson
# then checks whom we actually know inside them.
#
# **In this lesson you will**
#
# * segment the same customers by value (platinum, gold, iron, lead), by management role
#   (key, potential, regular, temporary) and by relationship (potential, new, old, big, small);
# * score each customer's attractiveness (客户吸引力) and our relative advantage
#   (相对优势) from weighted criteria, and place them on the key-account matrix;
# * see how the choice of weights moves customers between the four quadrants;
# * test "is this a key account?" and check our contacts in each layer of the
#   decision structure (下楼式营销).

# %% [markdown]
# ## Where the data comes from
#
# Customers, orders (with cost), contacts and activities of our fictional
# cost-estimation software vendor; `DATA = None` uses the bundled data, or put the
# path of your own CRM export in quotes, with its `MAPPING` file if its columns carry
# your own names (see lesson 0). The value tiers and the relationship classes need
# only the orders; the other sections say in one line what they need.

# %% tags=["parameters"]
DATA = None     # None: the bundled data (or $CUSTLIB_DATA); or "/path/to/your/export", a folder or one file
MAPPING = None  # None: columns already named as in the input contract (or $CUSTLIB_MAPPING); or "/path/to/mapping.toml"
AS_OF = None    # None: the analysis date stated with the data, else its last dated row; or "2025-12-31"

# %%
import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import PercentFormatter

from custlib import course, period
from custlib.course.exercises import Check
from custlib.keyaccount import (KEY_ACCOUNT_TESTS, criteria_frame, decision_structure,
                                is_key_account, matrix, quadrant_strategies, role_coverage, score)
from custlib.money import money
from custlib.plotting import format_table, key_account_chart
from custlib.course import what_if
from custlib.policy import GRADING, KEY_ACCOUNT, SEGMENTATION
from custlib.pyramid import thresholds_for
from custlib.course.sections import missing  # also registers %%needs
from custlib.segmentation import (management_roles, relationship_classes, segment_profile,
                                  value_tiers)

# the course's chart style, the data, and the analysis window: the last 12 months
# up to the analysis date (分析日期), both ends included
crm, (YEAR_START, AS_OF) = course.setup(DATA, MAPPING, AS_OF)
orders = crm.orders[crm.orders["order_date"] <= AS_OF]
last12 = period.in_window(orders, YEAR_START, AS_OF)
revenue = period.revenue_by_customer(orders, YEAR_START, AS_OF)
cust = crm.customers.set_index("customer_id")
HAS_COST = not missing(crm, ["orders.cost"])
if HAS_COST:
    profit = period.profit_by_customer(orders, YEAR_START, AS_OF)
    print(f"{len(revenue):,} customers bought in the 12 months to {AS_OF.date()}, "
          f"for {money(revenue.sum())} of revenue and {money(profit.sum())} of margin")
else:
    profit = revenue.rename("profit")
    print(f"{len(revenue):,} customers bought in the 12 months to {AS_OF.date()}, for "
          f"{money(revenue.sum())}; the orders carry no cost, so revenue stands in for "
          "profit below (an upper bound: no customer falls in the lead tier)")

# %% [markdown]
# ## 1. Why segment? (客户细分)
#
# The idea goes back to Wendell Smith (1956): instead of one offer for a whole market,
# split it into groups that are **alike inside and different from each other**, by
# attributes, behaviour, needs, preferences or value. Three reasons make it worth
# doing: customers need different things, they are worth different amounts, and our
# people and time are limited.
#
# The source gives several schemes. They are not rivals: each answers its own
# question, so a customer can be *gold* by value, *key* by role and *old* by
# relationship at the same time.

# %% [markdown]
# ## 2. By value: platinum, gold, iron, lead (铂金, 黄金, 钢铁, 重铅)
#
# Rank the customers by **profit** (margin after the cost of the orders) and cut the
# ranking, in the style of Zeithaml's customer pyramid:
#
# | tier | 中文 | rule |
# |---|---|---|
# | platinum | 铂金 | the top 5 % of customers by profit |
# | gold | 黄金 | the next 15 % |
# | iron | 钢铁 | every other customer who still makes a profit |
# | lead | 重铅 | zero or negative profit: they cost more than they bring |
#
# The 5 % and 15 % are `SEGMENTATION.value_shares`; a tier only admits customers with
# positive profit.

# %%
tiers = value_tiers(profit)
by_value = segment_profile(tiers, revenue)
by_value.insert(0, "tier_zh", list(SEGMENTATION.value_tiers_zh))
by_value["profit"] = profit.groupby(tiers, observed=False).sum()
assert (profit[tiers == "lead"] <= 0).all() and (profit[tiers != "lead"] > 0).all()
assert by_value["customers"].sum() == len(profit)
format_table(by_value, money="profit")

# %% [markdown]
# Read the profit column: the platinum and gold tiers earn more than the total, and
# the lead tier gives part of it back. Small software orders that need an installation
# or training visit cost more to serve than they pay.

# %% [markdown]
# ## 3. By management role: key, potential, regular, temporary (关键客户, 潜力客户, 常规客户, 临时客户)
#
# This scheme says *how to manage* each account. The first rule that holds decides:
#
# 1. **key** (关键客户 / 大客户): the top 5 % of customers by revenue;
# 2. **temporary** (临时客户): a one-off buyer, a single order ever;
# 3. **potential** (潜力客户): purchase headroom, estimators minus seats they own, of at
#    least 5 seats;
# 4. **regular** (常规客户): everyone else.
#
# $$\text{headroom} = \max(\text{estimators} - \text{seats owned},\ 0)\ \text{seats}$$

# %%
# %%needs customers.estimators customers.seats_owned
headroom = (cust["estimators"] - cust["seats_owned"]).clip(lower=0)
n_orders = orders.groupby("customer_id")["order_id"].nunique()   # orders, not invoice lines
roles = management_roles(revenue, headroom, n_orders)
by_role = segment_profile(roles, revenue)
by_role.insert(0, "role_zh", list(SEGMENTATION.roles_zh))
assert by_role.loc["key", "customers"] == round(SEGMENTATION.key_share * len(revenue))
format_table(by_role)

# %% [markdown]
# ## 4. By relationship: potential, new, old, big, small (潜在, 新客户, 老客户, 大客户, 小客户)
#
# This scheme covers every organisation in the CRM, buyers or not, and says *where the
# relationship stands*. Again the first rule that holds decides:
#
# 1. **potential** (潜在客户): never bought;
# 2. **new** (新客户): first order within the last year;
# 3. **big** (大客户): the top 20 % of the established buyers by revenue of the last 12 months;
# 4. **old** (老客户): an established buyer who ordered within the last year;
# 5. **small** (小客户): the other established buyers (no recent order, not big).
#
# A customer-management rulebook in the source uses a shorter version of the same
# idea: key, general and potential customers (重点 / 一般 / 潜在). A brokerage example
# adds two more axes for existing customers: how much their funds could grow, and how
# willing they are to take new products.

# %%
first_order = orders.groupby("customer_id")["order_date"].min().reindex(cust.index)
last_order = orders.groupby("customer_id")["order_date"].max().reindex(cust.index)
relation = relationship_classes(first_order, last_order, revenue, AS_OF)
by_relation = segment_profile(relation, revenue)
by_relation.insert(0, "class_zh", list(SEGMENTATION.relationships_zh))
assert by_relation["customers"].sum() == len(cust)
format_table(by_relation)

# %%
schemes = [("By value (按价值)", by_value, SEGMENTATION.value_tiers_zh)]
if not missing(crm, ["customers.estimators", "customers.seats_owned"]):   # section 3 ran
    schemes.append(("By role (按管理角色)", by_role, SEGMENTATION.roles_zh))
schemes.append(("By relationship (按关系)", by_relation, SEGMENTATION.relationships_zh))
fig, axes = plt.subplots(1, len(schemes), figsize=(5 * len(schemes), 5.5), squeeze=False)
for ax, (title, table, names_zh) in zip(axes[0], schemes):
    labels = [f"{name}\n{zh}" for name, zh in zip(table.index, names_zh)]
    bars = ax.bar(labels, table["customers"].to_numpy(), color="#6baed6")
    ax.bar_label(bars, labels=[f"{s:.0%} of\nrevenue" for s in table["share_revenue"].fillna(0)],
                 fontsize=11)
    ax.set_title(title)
    ax.tick_params(axis="x", labelsize=11)
    ax.margins(y=0.2)
axes[0, 0].set_ylabel("customers")
fig.suptitle("Segmentations of the same customer base (客户细分)", fontsize=18)
fig.tight_layout()
plt.show()

# %% [markdown]
# ### Value against role
#
# The schemes overlap but do not coincide. A cross-table shows it: the key role is
# chosen by revenue, the value tiers by profit, and a big-revenue customer is not
# always a profitable one.

# %%
# %%needs customers.estimators customers.seats_owned
format_table(pd.crosstab(tiers.rename("value tier"), roles.reindex(tiers.index).rename("role")))

# %% [markdown]
# **What a manager does with this.** Choose the scheme that fits the decision in
# hand: value tiers to decide where to cut the cost to serve, roles to assign account
# managers and visit plans, relationship classes to plan the work of each stage
# (winning, onboarding, developing, reviving). Keep the rules fixed for a year, so
# that next year's figures can be compared with this year's.

# %% [markdown]
# ## 5. The key-account selection matrix (关键客户识别与选择矩阵)
#
# The key-account matrix puts every customer on two axes:
#
# * **customer attractiveness** (客户吸引力): how attractive the customer is *to us*;
# * **relative advantage** (相对优势): how attractive *we* are to the customer,
#   compared with the competitors.
#
# Each axis is a weighted score of criteria. Every criterion $x_k$ is first turned into
# its percentile rank among the customers, rescaled to run from 0 (lowest) to 1
# (highest), so that yuan, seats and years can be added:
#
# $$\text{score} = \frac{\sum_k w_k\,\operatorname{rank}_{0..1}(x_k)}{\sum_k w_k}.$$
#
# A score of at least the cut-off (0.5) is *high*. The default criteria, from the CRM:
#
# | axis | criterion | meaning | weight |
# |---|---|---|---|
# | attractiveness | `revenue` | revenue of the last 12 months (CNY) | 0.35 |
# | attractiveness | `headroom` | seats they could still buy (estimators − seats owned) | 0.35 |
# | attractiveness | `important` | an important user (重要用户): 1, else 0 | 0.30 |
# | advantage | `our_seat_share` | our seats / (our seats + competitor seats) | 0.50 |
# | advantage | `visits` | visits and meetings in the last 12 months | 0.30 |
# | advantage | `tenure` | years since their first purchase | 0.20 |
#
# The four quadrants and what the source says to do in each:

# %%
# %%needs customers.estimators customers.seats_owned customers.competitor_seats customers.importance customers.first_purchase_date activities.activity_type
criteria = criteria_frame(crm.customers, orders, crm.activities, AS_OF)
attract = score(criteria, KEY_ACCOUNT.attractiveness)
advantage = score(criteria, KEY_ACCOUNT.advantage)
quadrant = matrix(attract, advantage)
assert len(criteria) == len(revenue) and attract.between(0, 1).all() and advantage.between(0, 1).all()
quadrants = quadrant_strategies().join(segment_profile(quadrant, revenue))
assert quadrants["customers"].sum() == len(criteria)
format_table(quadrants)

# %%
# %%needs customers.estimators customers.seats_owned customers.competitor_seats customers.importance customers.first_purchase_date activities.activity_type
# one point per customer: relative advantage across, attractiveness up, cut at
# KEY_ACCOUNT.cutoff on both axes; each quadrant's name and head count in its corner
key_account_chart(attract, advantage, quadrant, title="Key-account selection matrix (关键客户选择矩阵)")
plt.show()

# %% [markdown]
# The horizontal bands are ties: most customers have no purchase headroom and are not
# important users, so they share those two ranks and only revenue moves them up or
# down; being an important user (重要用户) lifts a customer by a whole band.
#
# **What a manager does with this.** The top-right quadrant is the key-account list:
# a named team, the most visits and the senior people. The top-left is where growth
# is, and where it is hardest: attractive customers who prefer a competitor or barely
# know us; study their needs and attitudes, earn access, and expect a slow return. The
# bottom-right customers like us but are small: keep them with less effort (calls,
# events, service by the hotline). The bottom-left are served politely, as priorities
# allow.

# %% [markdown]
# ### Try it: the weights decide who is key
#
# The weights are a policy, not a fact. Move them and watch customers change quadrant;
# the table compares the counts with the default weights.

# %%
# %%needs customers.estimators customers.seats_owned customers.competitor_seats customers.importance customers.first_purchase_date activities.activity_type
W_A, W_B = dict(KEY_ACCOUNT.attractiveness), dict(KEY_ACCOUNT.advantage)


def weights_what_if(w_revenue=W_A["revenue"], w_headroom=W_A["headroom"], w_important=W_A["important"],
                    w_seat_share=W_B["our_seat_share"], w_visits=W_B["visits"], w_tenure=W_B["tenure"],
                    cutoff=KEY_ACCOUNT.cutoff):
    if w_revenue + w_headroom + w_important == 0 or w_seat_share + w_visits + w_tenure == 0:
        print("give at least one criterion of each axis a positive weight")
        return
    a = score(criteria, {"revenue": w_revenue, "headroom": w_headroom, "important": w_important})
    b = score(criteria, {"our_seat_share": w_seat_share, "visits": w_visits, "tenure": w_tenure})
    q = matrix(a, b, cutoff=cutoff)
    key_account_chart(a, b, q, cutoff, title="Key-account matrix with your weights")
    plt.show()
    moved = int((q.astype(str) != quadrant.astype(str)).sum())
    print(f"{moved:,} of {len(q):,} customers sit in another quadrant than with the default weights")
    display(format_table(pd.DataFrame({"default weights": quadrant.value_counts(sort=False),
                                       "your weights": q.value_counts(sort=False)})))


slider = dict(min=0.0, max=1.0, step=0.05, continuous_update=False)
what_if(weights_what_if,
        w_revenue=widgets.FloatSlider(value=W_A["revenue"], description="revenue", **slider),
        w_headroom=widgets.FloatSlider(value=W_A["headroom"], description="headroom", **slider),
        w_important=widgets.FloatSlider(value=W_A["important"], description="important", **slider),
        w_seat_share=widgets.FloatSlider(value=W_B["our_seat_share"], description="seat share", **slider),
        w_visits=widgets.FloatSlider(value=W_B["visits"], description="visits", **slider),
        w_tenure=widgets.FloatSlider(value=W_B["tenure"], description="tenure", **slider),
        cutoff=widgets.FloatSlider(value=KEY_ACCOUNT.cutoff, min=0.3, max=0.8, step=0.05,
                                   description="cut-off", continuous_update=False));

# %% [markdown]
# ## 6. Is it a key account? The five tests
#
# The matrix ranks; the source also gives a plain test. A customer is a key account
# when **any one** of these holds:

# %%
format_table(pd.Series(KEY_ACCOUNT_TESTS, name="a key account when it has").to_frame())

# %% [markdown]
# Only the first can be read from the CRM. We take it as: at least the key-customer
# cut-off of the customer pyramid in the last 12 months (¥19,000 for the bundled data,
# lesson 3) *and* a purchase in the 12 months before as well (a continuing
# relationship), **or** a large potential of at least 20 more seats. The other four are
# the account manager's judgement, kept as yes/no columns next to it; `is_key_account`
# counts a test left out as not met.
#
# The source also names the types of key accounts (economic, important institutions
# such as government, military, justice, education, health and media, groups, and
# strategic) and warns what their orders are like: long cycles, many disturbing
# factors, rational buyers, high stakes and fierce competition.

# %%
# %%needs customers.estimators customers.seats_owned customers.competitor_seats customers.importance customers.first_purchase_date activities.activity_type
previous12 = period.in_window(orders, *period.window(AS_OF, back=1))   # the 12 months before
continuing = criteria.index.isin(previous12["customer_id"].unique())
KEY_CUT = thresholds_for(crm)[1]       # the key-customer cut-off of the pyramid (lesson 3)
signs = pd.DataFrame({
    "large_orders": ((criteria["revenue"] >= KEY_CUT) & continuing)
                    | (criteria["headroom"] >= GRADING.important_headroom),
}, index=criteria.index)
test = is_key_account(signs)
print(f"{int(test['key_account'].sum()):,} customers pass the large-orders test "
      f"(at least {money(KEY_CUT)} in the last 12 months)")
format_table(pd.crosstab(quadrant, test["key_account"].rename("passes the test"), margins=True))

# %% [markdown]
# The test and the matrix should broadly agree. Customers who pass the test but sit
# outside the *key* quadrant deserve a second look: either our position there is weak
# (key development), or the weights of the matrix miss what makes them important.

# %% [markdown]
# ## 7. Whom do we know inside? The decision structure (下楼式营销)
#
# A buying organisation decides in layers. "Selling downstairs" (下楼式营销) means
# entering at the top and working down:
#
# * the **decision layer** (决策层) decides and signs;
# * the **influence layer** (影响层): technical, finance, management and safety people
#   who shape the choice;
# * the **execution layer** (执行层): the cost estimators who will use the software;
# * the **coach** (教练): a friend inside who tells us how the decision is really made.
#
# For each key account, count the contacts we hold in each layer.

# %%
# %%needs customers.estimators customers.seats_owned customers.competitor_seats customers.importance customers.first_purchase_date activities.activity_type contacts.role
structure = decision_structure()
key_ids = quadrant.index[quadrant == "key"]
coverage = role_coverage(crm.contacts, key_ids)
known = pd.Series({layer: float((coverage[role] > 0).mean()) for layer, role in structure["role"].items()})
known["all three of decision, influence, execution"] = float(coverage["three_kinds_known"].mean())

fig, ax = plt.subplots(figsize=(10, 4.5))
labels = [f"{layer} ({structure.loc[layer, 'layer_zh']})" if layer in structure.index else layer
          for layer in known.index]
bars = ax.barh(labels[::-1], known.to_numpy()[::-1], color="#2171b5")
ax.bar_label(bars, labels=[f"{v:.0%}" for v in known.to_numpy()[::-1]], padding=3)
ax.xaxis.set_major_formatter(PercentFormatter(1))
ax.set_xlim(0, 1.1)
ax.set_title(f"Key accounts where we know someone in each layer ({len(coverage)} accounts)")
ax.set_xlabel("share of key accounts")
plt.show()
print(f"{int((~coverage['has_decision_maker']).sum())} key accounts have no known decision maker")
format_table(structure)

# %% [markdown]
# **What a manager does with this.** Every key account gets a plan that follows the
# source's six steps: gather intelligence, build the relationship, dig out the needs,
# beat the competition, obtain a commitment, and keep the cooperation going. The first
# step is this table: a key account without a known decision maker, or without a
# coach, is the next visit's target, aimed one floor higher.

# %% [markdown]
# ## Your turn
#
# Four exercises. Replace `None` with your code and run the cell: the check says
# *correct*, or *not yet* with what is off. Hidden solutions follow each one.

# %%
q1 = Check("Exercise 1", lambda: float(revenue[tiers == "platinum"].sum() / revenue.sum()),
           hint="revenue of the platinum customers divided by all revenue of the last 12 months")
q2 = Check("Exercise 2", lambda: int((matrix(score(criteria, {"revenue": 1.0}),
                                              score(criteria, {"our_seat_share": 1.0})) == "key").sum()),
           hint="score each axis with one criterion of weight 1, then matrix(...) and count 'key'")
q3 = Check("Exercise 3", lambda: int((matrix(attract, advantage, cutoff=0.6) == "key_development").sum()),
           hint="matrix(attract, advantage, cutoff=0.6), then count 'key_development'")
q4 = Check("Exercise 4", lambda: int((coverage["coach"] == 0).sum()),
           hint="the coverage table has a column per role; count the key accounts with 0 coaches")

# %% [markdown]
# **Exercise 1.** Platinum customers (铂金) are 5 % of the customers by profit. What share of the last 12 months' revenue do they bring? Answer as a fraction.

# %% exercise={"id": "q1", "wrong": "answer_q1 = SEGMENTATION.value_shares[0]"}
answer_q1 = None
q1(answer_q1)

# %% [markdown] solution="q1"
# <details><summary>Solution</summary>
#
# ```python
# answer_q1 = float(revenue[tiers == "platinum"].sum() / revenue.sum())
# ```
#
# 5 % is their share of customers; their share of revenue is several times that.
# </details>

# %% [markdown]
# **Exercise 2.** The sales director says: attractiveness is revenue and nothing else, advantage is our seat share and nothing else. With those one-criterion scores and the usual cut-off, how many customers are key accounts?

# %% exercise={"id": "q2", "wrong": "answer_q2 = int((quadrant == 'key').sum())"}
# %%needs --exercise customers.estimators customers.seats_owned customers.competitor_seats customers.importance customers.first_purchase_date activities.activity_type
answer_q2 = None
q2(answer_q2)

# %% [markdown] solution="q2"
# <details><summary>Solution</summary>
#
# ```python
# a = score(criteria, {"revenue": 1.0})
# b = score(criteria, {"our_seat_share": 1.0})
# answer_q2 = int((matrix(a, b) == "key").sum())
# ```
#
# A simpler rule gives a different list: show the team how much the choice of criteria matters before anyone argues about individual names.
# </details>

# %% [markdown]
# **Exercise 3.** Keep the default scores but raise the cut-off to 0.6 on both axes. How many customers are then key development accounts (关键发展客户)?

# %% exercise={"id": "q3", "wrong": "answer_q3 = int((quadrant == 'key_development').sum())"}
# %%needs --exercise customers.estimators customers.seats_owned customers.competitor_seats customers.importance customers.first_purchase_date activities.activity_type
answer_q3 = None
q3(answer_q3)

# %% [markdown] solution="q3"
# <details><summary>Solution</summary>
#
# ```python
# answer_q3 = int((matrix(attract, advantage, cutoff=0.6) == "key_development").sum())
# ```
#
# A higher bar shrinks both top quadrants: fewer customers count as attractive, and fewer of those count as ones where we are strong.
# </details>

# %% [markdown]
# **Exercise 4.** How many of our key accounts (the *key* quadrant) have no known coach (教练)?

# %% exercise={"id": "q4", "wrong": "answer_q4 = int((~coverage['has_decision_maker']).sum())"}
# %%needs --exercise customers.estimators customers.seats_owned customers.competitor_seats customers.importance customers.first_purchase_date activities.activity_type contacts.role
answer_q4 = None
q4(answer_q4)

# %% [markdown] solution="q4"
# <details><summary>Solution</summary>
#
# ```python
# answer_q4 = int((coverage["coach"] == 0).sum())
# ```
#
# Most key accounts have no inside friend yet: finding one is part of building the relationship, step two of the six.
# </details>

# %% [markdown]
# ## Next
#
# Lesson 6 turns from customers to prospects: grading them A/B/C/D and setting the
# contact cadence for each grade.
