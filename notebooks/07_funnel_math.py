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
# # 7. Funnel math: categories, one in five, rule of thirds, forecast, coverage, shapes and priorities (潜在客户管理)
#
# This lesson does the arithmetic of the sales funnel (销售漏斗): how many prospects
# survive each stage, how many first appointments a target asks for, and whether
# today's pipeline can carry it. A sale does not happen in one meeting; it passes
# through a few recognisable stages, and at each stage some prospects drop out. Managing prospects (潜在客户管理) means
# knowing those stages, knowing what share survives each one, and doing the arithmetic
# backwards: from the closes a rep wants this quarter to the calls and first meetings
# they must book this week. The same arithmetic tells you whether today's pipeline can
# carry the target, and the *shape* of a rep's pipeline tells you what kind of help
# they need.
#
# **In this lesson you will**
#
# * name the pipeline categories (销售漏斗的类别) and the five criteria of an active
#   prospect 2;
# * count our funnel, its stage-to-stage conversion and the time deals spend in each stage;
# * solve the one-in-five case (五分之一) and turn a target into first appointments a week;
# * apply the rule of thirds (三分之一规则);
# * forecast with weighted values, pipeline coverage, win rate and sales velocity;
# * read each rep's pipeline shape (empty front, pile-up in the middle) and put a
#   salesperson's eight kinds of work in order.

# %% [markdown]
# ## Where the data comes from
#
# Every sales opportunity in the CRM of our fictional cost-estimation software vendor,
# with the date it entered each stage; `DATA = None` uses the bundled data, or put the
# path of your own CRM export in quotes, with its `MAPPING` file if its columns carry
# your own names (see lesson 0). The whole lesson works on opportunities: an export
# without them skips it.

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

from custlib import course, period, schema
from custlib.course.exercises import Check
from custlib.funnel import (FUNNEL_STAGES, STAGE_LABELS_ZH, activity_needed, classify_prospect,
                            conversion_rates, expected_closes, funnel_counts, pipeline_coverage,
                            pipeline_shape, prospects_needed, prospects_remaining, rule_of_thirds,
                            sales_velocity, stage_reached, time_in_stage, weighted_forecast,
                            win_rate, work_priorities)
from custlib.money import label, money, short, symbol, unit
from custlib.plotting import format_table, top_rows
from custlib.course import money_slider, what_if
from custlib.policy import FUNNEL
from custlib.course.sections import needs  # also registers %%needs

# the course's chart style, the data, and the analysis window: the last 12 months
# up to the analysis date (分析日期), both ends included
crm, (YEAR_START, AS_OF) = course.setup(DATA, MAPPING, AS_OF)
opps = crm.opportunities
open_opps = opps[opps["stage"].isin(schema.OPEN_STAGES)]
print(f"{len(opps):,} opportunities up to {AS_OF.date()}: {len(open_opps):,} open, "
      f"{int((opps['stage'] == 'won').sum()):,} won, {int((opps['stage'] == 'lost').sum()):,} lost")

# %% [markdown]
# ## 1. The pipeline categories and our funnel (销售漏斗)
#
# The source sorts every name a salesperson works on into one category, by what the
# other side has *committed to*, not by how friendly the talk was:
#
# | stage | 中文 | what puts a name there |
# |---|---|---|
# | sales opportunity | 销售机会 | someone we want to do business with; no commitment of any kind yet |
# | first appointment | 首次会晤对象 | a first meeting is fixed (on the phone: they took our second call) |
# | active prospect 1 | 有效潜在客户一 | engaged and promised a next step, but not yet all five criteria of category 2 |
# | active prospect 2 | 有效潜在客户二 | meets all five criteria (section 2) |
# | active prospect 3 | 有效潜在客户三 | has said yes verbally; nine in ten of them sign |
# | closed | 成交 | a formal commitment to use our product |
#
# Opportunities come from five sources: candidates (候选人), predicted customers
# (预测客户), advertising leads (广告客户), referrals (推荐客户) and fallbacks
# (后退客户, names that dropped back from a later stage).
#
# A deal **reached** a stage when it has that stage's date, or the date of a later one
# (it must have passed through). Counting down the stages gives the funnel, and each
# stage's **conversion rate** is the share of the previous stage that got there:
#
# $$
# \text{rate}_s = \frac{\text{reached}_s}{\text{reached}_{s-1}}, \qquad
# \text{cumulative}_s = \frac{\text{reached}_s}{\text{reached}_{\text{opportunity}}} .
# $$
#
# Open deals have not finished their journey, so counting them drags every rate down;
# `closed_only=True` counts only deals that ended, won or lost.

# %%
reached = stage_reached(opps)                       # one row per deal: True up to its furthest stage
assert (reached.to_numpy()[:, 1:] <= reached.to_numpy()[:, :-1]).all()   # never a gap
counts = funnel_counts(opps)
assert counts.tolist() == reached.sum().tolist()
rates_all = conversion_rates(opps)
rates = conversion_rates(opps, closed_only=True)
format_table(rates.assign(rate_with_open_deals=rates_all["rate"]), percent="cumulative")

# %%
labels = [f"{s.replace('_', ' ')}\n{STAGE_LABELS_ZH[s]}" for s in rates_all.index]
widths = rates_all["reached"].to_numpy()
y = np.arange(len(widths))[::-1]
colours = ["#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08306b"]

fig, ax = plt.subplots(figsize=(11, 6.5))
ax.barh(y, widths, left=-widths / 2, color=colours, height=0.8)
for yi, n, r, c in zip(y, widths, rates_all["rate"], rates_all["cumulative"]):
    text = f"{n:,}" if np.isnan(r) else f"{n:,}   ({r:.0%} of the stage above; {c:.0%} of all)"
    ax.text(widths[0] / 2 + widths[0] * 0.02, yi, text, va="center", fontsize=13)
ax.set_yticks(y, labels)
ax.set_xticks([])
ax.set_xlim(-widths[0] / 2, widths[0] * 1.25)
ax.grid(False)
ax.spines["bottom"].set_visible(False)
ax.set_title("The sales funnel: opportunities reaching each stage (销售漏斗)")
ax.set_xlabel("opportunities reaching each stage (all deals, open ones included)")
plt.show()

# %% [markdown]
# Where do the winners come from? The same count by source, as the share of closed
# first appointments that were won:

# %%
by_source = pd.DataFrame({
    "opportunities": opps["source"].value_counts(),
    "won of closed": win_rate(opps, by="source"),
    "won of closed first appointments": win_rate(opps, reached="first_appointment", by="source"),
}).sort_values("won of closed first appointments", ascending=False)
by_source.index.name = "source"
format_table(by_source, percent=["won of closed", "won of closed first appointments"])

# %% [markdown]
# **What a manager does with this.** The funnel is the team's production line. A stage
# whose conversion falls below its usual rate is where deals are being lost this
# quarter: listen to calls at that stage, check the proposals, ask why. The table by
# source says where to spend the prospecting hours: predicted customers and referrals
# turn into wins far more often than advertising leads.

# %% [markdown]
# ## 2. What makes an active prospect 2, and a 3
#
# A prospect moves from category 1 to category 2 only when **all five** of these hold:
#
# 1. we are talking to the real decision maker (决策者);
# 2. our proposal suits the customer;
# 3. the budget is reasonable and our price acceptable: the basis of the price has
#    been discussed;
# 4. the timeline (decision date, start date) fits our normal sales cycle;
# 5. there is further development: the next step is agreed.
#
# Four out of five is still a prospect 1. `classify_prospect` applies the rule; an
# unknown answer counts as *no*. Our CRM does not record the five answers, so here are
# four made-up prospects:

# %%
answers = pd.DataFrame({
    "talking_to_decision_maker": [True, True, False, True],
    "proposal_fits": [True, True, True, True],
    "budget_and_price_accepted": [True, False, True, True],
    "timeline_fits": [True, True, True, True],
    "further_development": pd.array([True, True, True, None], dtype="boolean"),
}, index=["Prospect W", "Prospect X", "Prospect Y", "Prospect Z"])
answers["category"] = classify_prospect(answers)
assert answers["category"].tolist() == ["prospect_2", "prospect_1", "prospect_1", "prospect_1"]
format_table(answers)

# %% [markdown]
# Category 3 is the verbal yes. The source's test: if you would not bet your salary on
# it, it is not a 3. Nine in ten of them should sign. Our closed history checks the
# claim:

# %%
p3_rate = win_rate(opps, reached="prospect_3")
assert expected_closes(10, close_rate=0.9) == 9          # the source: nine in ten prospect-3s close
print(f"of our closed deals that reached prospect 3, {p3_rate:.1%} were won "
      f"(the source: 90 %); 10 verbal yeses should give {expected_closes(10, close_rate=p3_rate):.1f} closes")

# %% [markdown]
# People rarely say a plain *no*. They stop returning calls, say "call me in the
# summer" or "I'll talk it over next month". Each of those is a no: move the name back
# to the category it really is in at once, instead of waiting for the word.
#
# **What a manager does with this.** In the pipeline review, ask for the five criteria
# of every prospect 2, one by one, and for the salary bet on every prospect 3. A deal
# that fails a question goes back a category today: a forecast built on hopes is worse
# than a small one built on facts.

# %% [markdown]
# ## 3. How long deals stay in each stage (停留时间)
#
# For a deal that entered stage $s$ on date $d_s$, the time in the stage runs to the
# next date recorded, whether a later stage, the win or the loss:
#
# $$\text{days}_s = \min(\text{later dates}) - d_s .$$
#
# A deal still open in a stage has no finished stay yet and is left out.

# %%
stay = time_in_stage(opps)
stay.insert(0, "stage_zh", [STAGE_LABELS_ZH[s] for s in stay.index])
format_table(stay, decimals=1)

# %% [markdown]
# **What a manager does with this.** The median is the normal pace. A deal that has sat
# in prospect 2 for twice the median is not "progressing slowly": it is stuck, and the
# rep should either find the missing criterion or move it back.

# %% [markdown]
# ## 4. One in five (五分之一)
#
# The handout asks a question that trips up most salespeople: *your close rate is one in
# five; you had 20 prospects and you have closed four; how many prospects do you have
# now?* The tempting answer is sixteen. The right one is **none**. One in five means
# that 20 prospects are *expected* to give four closes; once the four are in, the other
# sixteen are the four out of five that were never going to buy. The pipeline is spent,
# and each further close needs five new prospects.
#
# With $N$ prospects and close rate $r$:
#
# $$
# \text{expected closes} = N\,r, \qquad
# \text{prospects left} = \max\!\left(0,\; N - \frac{\text{closes}}{r}\right), \qquad
# \text{prospects needed} = \left\lceil \frac{\text{closes wanted}}{r} \right\rceil .
# $$

# %%
assert FUNNEL.close_rate == 1 / 5
assert expected_closes(20) == 4                 # 20 prospects at one in five
assert prospects_remaining(20, 4) == 0          # the [case]: four closed, none left
assert prospects_needed(1) == 5                 # five new prospects for every close wanted
assert prospects_needed(4) == 20                # refill the spent pipeline for four more

case = pd.DataFrame({"closed so far": range(5)})
case["prospects left (of 20)"] = [prospects_remaining(20, k) for k in case["closed so far"]]
case["closes still expected"] = [expected_closes(p) for p in case["prospects left (of 20)"]]
format_table(case.set_index("closed so far"))

# %%
our_rate = win_rate(opps, reached="first_appointment")
print(f"our close rate: {our_rate:.1%} of closed first appointments were won, "
      f"about one in {1 / our_rate:.1f}")
print(f"at that rate a rep needs {prospects_needed(1, close_rate=our_rate)} first appointments "
      f"for one close and {prospects_needed(4, close_rate=our_rate)} for four")

# %% [markdown]
# **What a manager does with this.** Never let a rep celebrate four closes out of twenty
# prospects without asking where the next twenty are coming from. The count that
# matters for next quarter is not this quarter's closes but the new first appointments
# booked since.

# %% [markdown]
# ## 5. From a target to a weekly plan (计算每周活动量)
#
# The one-in-five sum generalises to every stage. Start from the closes wanted and walk
# back up the funnel, dividing by each stage's conversion rate:
#
# $$
# \text{needed}_{\text{won}} = \text{closes wanted}, \qquad
# \text{needed}_{s} = \frac{\text{needed}_{s+1}}{\text{rate}_{s+1}}, \qquad
# \text{per week} = \frac{\text{needed}}{\text{weeks}} .
# $$
#
# Here with our own rates (closed deals only), for 40 closes in a quarter of 13 weeks:

# %%
stage_rates = rates["rate"]
plan = activity_needed(40, stage_rates, weeks=13)
assert plan.loc["won", "needed"] == 40
format_table(plan, decimals=1)

# %% [markdown]
# ### Try it: target, deal size and close rate
#
# A target is set in yuan, not in closes. With an average deal of $\bar v$ CNY,
#
# $$
# \text{closes wanted} = \left\lceil \frac{\text{target}}{\bar v} \right\rceil, \qquad
# \text{first appointments} = \left\lceil \frac{\text{closes wanted}}{r} \right\rceil ,
# $$
#
# and the opportunities needed to book those appointments follow from our own rate
# from opportunity to first appointment. The sliders start at one rep's quarter: the
# median rep's won value of the last 12 months divided by four, and our average won
# deal. Move the close rate to see why the first sale to improve is often the rep's own
# close rate.

# %%
won_12m = opps[(opps["stage"] == "won") & (opps["won_date"] >= period.window(AS_OF)[0])]   # won in the last 12 months
AVG_DEAL = int(round(won_12m["expected_value"].mean(), -2)) if len(won_12m) else 10_000
TARGET = int(round(won_12m.groupby("rep_id")["expected_value"].sum().median() / 4, -3)) if len(won_12m) else 50_000
BOOKING_RATE = float(stage_rates["first_appointment"])   # opportunity -> first appointment
print(f"average won deal {money(AVG_DEAL)}; a rep's quarter ≈ {money(TARGET)}; "
      f"{BOOKING_RATE:.0%} of opportunities get a first appointment")


def target_what_if(target=TARGET, average_deal=AVG_DEAL, close_rate=0.20, weeks=13):
    closes = int(np.ceil(round(target / average_deal, 9)))
    appointments = prospects_needed(closes, close_rate=close_rate)
    opportunities = appointments / BOOKING_RATE
    per_week = pd.Series({"new opportunities\n销售机会": opportunities / weeks,
                          "first appointments\n首次会晤": appointments / weeks,
                          "closes\n成交": closes / weeks})
    fig, ax = plt.subplots(figsize=(9, 4.5))
    bars = ax.bar(per_week.index, per_week.to_numpy(), color=["#c6dbef", "#4292c6", "#08306b"])
    ax.bar_label(bars, fmt="%.1f", fontsize=14)
    ax.set_title(f"What {money(target)} in {weeks} weeks asks for, every week")
    ax.set_ylabel("per week")
    plt.show()
    print(f"{money(target)} / {money(average_deal)} a deal = {closes} close{'s' if closes != 1 else ''}; at {close_rate:.0%} that is "
          f"{appointments} first appointments: {appointments / weeks:.1f} a week, "
          f"from about {opportunities / weeks:.1f} new opportunities a week")
    return appointments


what_if(target_what_if,
        # the sliders start on TARGET and AVG_DEAL, the figures printed above (steps that run through them)
        target=money_slider(TARGET, 5_000, max(500_000, 2 * TARGET), 1_000, "target"),
        average_deal=money_slider(AVG_DEAL, 500, max(50_000, 2 * AVG_DEAL), 100, "avg deal"),
        close_rate=widgets.FloatSlider(value=0.20, min=0.05, max=0.60, step=0.01,
                                       readout_format=".0%", description="close rate"),
        weeks=widgets.IntSlider(value=13, min=1, max=52, description="weeks"));

# %% [markdown]
# **What a manager does with this.** Agree the target with each rep, then agree the
# *activity*: "this quarter means so many first appointments a week, every week". The
# front of the funnel is the one stage a rep controls completely, so it is the number to
# review every Monday.

# %% [markdown]
# ## 6. The rule of thirds (三分之一规则)
#
# Of the prospects you present to, the source says, a third will buy whatever you do, a
# third will never buy whatever you do, and the last third depends on your work. Out of
# $n$ prospects presented to, closes therefore lie between
#
# $$\frac{n}{3} \;\text{(no effort at all)} \quad\text{and}\quad \frac{2n}{3} \;\text{(every undecided one won)}.$$

# %%
thirds = rule_of_thirds(30)
assert thirds["prospects"].round(9).tolist() == [10, 10, 10]     # 30 prospects: 10, 10, 10
assert thirds["share"].round(9).tolist() == [round(1 / 3, 9)] * 3
presented = win_rate(opps, reached="prospect_2")     # presented to: reached prospect 2
print(f"of our closed deals that reached prospect 2 (a proposal that fits), {presented:.0%} were won: "
      f"{'inside' if 1 / 3 <= presented <= 2 / 3 else 'outside'} the band of one third to two thirds")
format_table(thirds)

# %% [markdown]
# **What a manager does with this.** Do not spend the week on the never-buyers, however
# pleasant they are, nor on the sure buyers, beyond keeping them sure. The working time
# belongs to the middle third, the ones still deciding; that is where a rep's skill
# changes the number.

# %% [markdown]
# ## 7. Forecast, coverage, win rate and velocity (销售预测)
#
# Four numbers summarise a pipeline:
#
# * **weighted forecast** (加权预测): each open deal at its expected value $v_i$ (CNY)
#   times its close probability $p_i$, $\;F = \sum_i v_i\,p_i$; with a date limit, only
#   deals expected to close by then;
# * **pipeline coverage** (管道覆盖率): open value over the target,
#   $\;C = \sum_i v_i \,/\, \text{target}$. At one in five, a pipeline of fresh first
#   appointments must hold about five times the target; the further along the deals, the
#   less cover is needed;
# * **win rate** (赢单率): $\;W = \text{won} / (\text{won} + \text{lost})$, among closed deals;
# * **sales velocity** (销售速度): $\;V = \dfrac{n \cdot \bar v \cdot W}{\text{cycle days}}$,
#   CNY a day: open deals $n$, average won deal $\bar v$, win rate $W$, days from
#   opportunity to win.

# %%
quarter_end = AS_OF + pd.DateOffset(months=3)
won_all = opps[opps["stage"] == "won"]
cycle_days = float((won_all["won_date"] - won_all["opportunity_date"]).dt.days.mean())
W = win_rate(opps)
summary = pd.Series({
    "open deals": len(open_opps),
    label("open value"): float(open_opps["expected_value"].sum()),
    label("weighted forecast"): weighted_forecast(opps),
    label(f"weighted, closing by {quarter_end.date()}"): weighted_forecast(opps, close_by=quarter_end),
    "win rate": W,
    "average cycle (days)": cycle_days,
    f"sales velocity ({unit()} a day)": sales_velocity(len(open_opps), AVG_DEAL, W, cycle_days),
})
format_table(summary.rename("team"), decimals={"average cycle (days)": 0})

# %%
rep_target = won_12m.groupby("rep_id")["expected_value"].sum() / 4      # last year's pace, a quarter
reps = pd.DataFrame({
    "weighted forecast": weighted_forecast(opps, by="rep_id", close_by=quarter_end),
    "open value": open_opps.groupby("rep_id")["expected_value"].sum(),
    "quarter target": rep_target,
}).fillna(0.0)
reps = reps[reps["quarter target"] > 0]
reps["coverage"] = pipeline_coverage(reps["open value"], reps["quarter target"])
reps["win rate"] = win_rate(opps, by="rep_id")
reps = reps.sort_values("coverage")
shown, caption = top_rows(reps, by="coverage", ascending=True, why="with the lowest coverage")

fig, ax = plt.subplots(figsize=(12, 5.5))
x = np.arange(len(shown))
ax.bar(x - 0.2, shown["quarter target"], 0.4, color="#bdbdbd", label="quarter target (last year's pace)")
ax.bar(x + 0.2, shown["weighted forecast"], 0.4, color="#2171b5", label="weighted forecast, next 3 months")
ax.set_xticks(x, shown.index, rotation=60)
ax.yaxis.set_major_formatter(FuncFormatter(short))
ax.set_title("Forecast against target, rep by rep (lowest coverage first)"
             + (f"\n{caption}" if caption else ""))
ax.set_xlabel("sales rep (销售人员)")
ax.set_ylabel(unit())
ax.legend(loc="upper left")
plt.show()
if caption:
    print(f"{caption}; all {len(reps):,} are in the table `reps`")
format_table(shown, money=["weighted forecast", "open value", "quarter target"], decimals={"coverage": 2})

# %% [markdown]
# **What a manager does with this.** Read the forecast and the coverage together. A rep
# whose weighted forecast falls short of the quarter needs deals closed *now*: help on
# the prospect-3s and 2s. A rep with low coverage needs deals *found*: more first
# appointments, whatever this quarter's forecast says, or next quarter will be empty.
# Velocity puts both in one number to track month by month: more deals, larger deals, a
# better win rate or a shorter cycle all raise it.

# %% [markdown]
# ## 8. Pipeline shapes (管道形状)
#
# A healthy pipeline is wide at the front and narrow at the back, like the funnel of
# section 1. Two unhealthy shapes keep coming back:
#
# * **empty front** (前端空缺): few opportunities and first appointments. A newcomer who
#   has not started prospecting, or a veteran who just closed a lot and stopped;
# * **pile-up in the middle** (中段堆积): many prospects 1 and 2, "proposal pending", that
#   nobody pushes to a decision.
#
# Counting each rep's open deals by stage,
#
# $$
# \text{front share} = \frac{\text{opportunity} + \text{first appointment}}{\text{open}}, \qquad
# \text{middle share} = \frac{\text{prospect 1} + \text{prospect 2}}{\text{open}} .
# $$
#
# The course calls a front share under 25 % an empty front, and otherwise a middle
# share over 55 % a pile-up (`FUNNEL.empty_front_share`, `FUNNEL.pileup_share`). A team
# too large for one chart (more than `CHART_ROWS`, 30 reps) is cut to the largest
# pipelines, the unhealthy shapes first, and the chart says so.

# %%
shape = pipeline_shape(opps)
stages = list(schema.OPEN_STAGES)
stage_colours = ["#fdd0a2", "#fd8d3c", "#9ecae1", "#4292c6", "#08306b"]
flag_colour = {"healthy": "black", "empty front": "#d62728", "middle pile-up": "#e6550d"}
diagnosis = shape["diagnosis"].astype(str)
shown, caption = top_rows(shape, by=[diagnosis != "healthy", "open"],
                          why="with the largest pipelines, unhealthy shapes first")

fig, ax = plt.subplots(figsize=(12, 8))
pos = np.arange(len(shown))
left = np.zeros(len(shown))
for s, colour in zip(stages, stage_colours):
    ax.barh(pos, shown[s], left=left, color=colour, label=f"{s.replace('_', ' ')} {STAGE_LABELS_ZH[s]}")
    left += shown[s].to_numpy()
for i, rep in enumerate(shown.index):
    if diagnosis[rep] != "healthy":
        ax.text(left[i] + 0.4, i, f"{diagnosis[rep]} ({shape.loc[rep, 'diagnosis_zh']})", va="center",
                color=flag_colour[diagnosis[rep]], fontsize=13)
ax.set_yticks(pos, shown.index)
for tick, rep in zip(ax.get_yticklabels(), shown.index):
    tick.set_color(flag_colour[diagnosis[rep]])
ax.invert_yaxis()
ax.set_xlim(0, left.max() * 1.45)
ax.set_title("Open pipeline per rep, front to back (管道形状)" + (f"\n{caption}" if caption else ""))
ax.set_xlabel("open opportunities")
ax.set_ylabel("sales rep (销售人员)")
if caption:                          # the longest bars: the legend goes beside the chart
    ax.legend(loc="lower left", bbox_to_anchor=(1.01, 0), fontsize=12)
else:
    ax.legend(loc="lower right", fontsize=12)
plt.show()
if caption:
    found = diagnosis.value_counts()
    print(f"{caption}; of all {len(shape):,}: " + ", ".join(f"{found.get(d, 0):,} {d}" for d in flag_colour)
          + "; the whole table is `shape`")
format_table(shown[["open", "front_share", "middle_share", "diagnosis", "diagnosis_zh"]])

# %% [markdown]
# **What a manager does with this.** The shape says what kind of help a rep needs
# before any number does. An empty front needs a prospecting plan this week (section 5
# gives the count), because its emptiness shows up as missing revenue only a quarter
# later. A pile-up needs decisions: go through the prospect 1s and 2s with the five
# criteria and move each one forward or back. A healthy shape needs to be left alone.

# %% [markdown]
# ## 9. What to do first: eight kinds of work (工作优先顺序)
#
# The source ranks a salesperson's work. New contacts come first, before closing the
# deals already in hand, because everything later in the funnel is fed from the front;
# paperwork comes last. It also names a habit: prospect every Monday afternoon.

# %%
priorities = work_priorities()
assert priorities.loc[1, "work"] == "contact_new_leads" and priorities.loc[8, "work"] == "special_projects"
format_table(priorities)

# %% [markdown]
# **What a manager does with this.** Look at a rep's diary against this list. A week
# full of proposals and reports with no new contacts is a pipeline that will have an
# empty front next quarter; block Monday afternoon for prospecting and protect it.

# %% [markdown]
# ## Your turn
#
# Four exercises. Replace `None` with your code and run the cell: the check says
# *correct*, or *not yet* with what is off. `q1.hint()` gives a hint. Solutions are
# folded below each exercise.

# %%
q1 = Check("Exercise 1", lambda: prospects_needed(6, close_rate=win_rate(opps, reached="first_appointment")),
           hint="our close rate is win_rate(opps, reached='first_appointment'); pass it to prospects_needed")
q2 = Check("Exercise 2", lambda: shape.index[shape["diagnosis"] == "middle pile-up"].tolist(),
           hint="pipeline_shape(opps), then the reps whose diagnosis is 'middle pile-up'")
q3 = Check("Exercise 3", lambda: weighted_forecast(opps, close_by=AS_OF + pd.DateOffset(months=3)), hint="weighted_forecast with close_by three months after AS_OF")
q4 = Check("Exercise 4", lambda: float(activity_needed(40, conversion_rates(opps, closed_only=True)["rate"],
                                                       weeks=13).loc["opportunity", "per_week"]), hint="activity_needed(40, <closed-only rates>, weeks=13), row 'opportunity', column 'per_week'")

# %% [markdown]
# **Exercise 1.** With **our own** close rate (the share of closed first appointments
# that were won), how many first appointments does a rep need for six closes?

# %% exercise={"id": "q1", "wrong": "answer_q1 = prospects_needed(6)"}
answer_q1 = None
q1(answer_q1)

# %% [markdown] solution="q1"
# <details><summary>Solution</summary>
#
# ```python
# our_rate = win_rate(opps, reached="first_appointment")
# answer_q1 = prospects_needed(6, close_rate=our_rate)
# ```
#
# `prospects_needed` rounds up to whole prospects. The textbook one in five gives 30; our own rate is a little better, so a little fewer are needed.
# </details>

# %% [markdown]
# **Exercise 2.** Which reps have a *pile-up in the middle*? Answer with the list of their
# `rep_id`s, in the order of the shape table.

# %% exercise={"id": "q2", "wrong": "answer_q2 = shape.index[shape['diagnosis'] == 'empty front'].tolist()"}
answer_q2 = None
q2(answer_q2)

# %% [markdown] solution="q2"
# <details><summary>Solution</summary>
#
# ```python
# answer_q2 = shape.index[shape["diagnosis"] == "middle pile-up"].tolist()
# ```
#
# The pile-up reps hold many prospect 1s and 2s: they need decisions, not new names. The empty-front reps are the opposite case.
# </details>

# %% [markdown]
# **Exercise 3.** What is the weighted forecast (CNY) of the open deals expected to close
# within three months of `AS_OF`?

# %% exercise={"id": "q3", "wrong": "answer_q3 = float(open_opps.loc[open_opps['expected_close_date'] <= AS_OF + pd.DateOffset(months=3), 'expected_value'].sum())"}
answer_q3 = None
q3(answer_q3)

# %% [markdown] solution="q3"
# <details><summary>Solution</summary>
#
# ```python
# answer_q3 = weighted_forecast(opps, close_by=AS_OF + pd.DateOffset(months=3))
# ```
#
# Each deal counts at its value times its probability; adding the full values instead assumes every deal will sign.
# </details>

# %% [markdown]
# **Exercise 4.** With the conversion rates of our closed deals, how many **new
# opportunities a week** does the team need for 40 closes in a quarter of 13 weeks?

# %% exercise={"id": "q4", "wrong": "answer_q4 = 40 / 0.2 / 13"}
answer_q4 = None
q4(answer_q4)

# %% [markdown] solution="q4"
# <details><summary>Solution</summary>
#
# ```python
# closed_rates = conversion_rates(opps, closed_only=True)["rate"]
# answer_q4 = float(activity_needed(40, closed_rates, weeks=13).loc["opportunity", "per_week"])
# ```
#
# One in five is the rate from *first appointment* to close; opportunities sit one stage further up, and only part of them get a first appointment, so more are needed.
# </details>

# %% [markdown]
# ## Next
#
# Lesson 8 turns from new prospects to existing customers: how they move between tiers
# from one year to the next, and what a structured meeting is worth.
