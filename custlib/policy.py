"""Policy numbers: every cut-off, share and rule the methods use, named in one place.

Each method takes its policy as an argument whose default is defined here, so a
caller can override one number for one call without touching anything else::

    tiers_by_threshold(revenue, thresholds=(80_000, 20_000, 5_000))

Every value cites the section of the methods digest it comes from.

Examples
--------
>>> PYRAMID.shares
(0.01, 0.04, 0.15, 0.8)
>>> PYRAMID.thresholds
(58900, 19000, 4820)

A number that follows from another is computed from it, never copied:

>>> GRADING.important_revenue == PYRAMID.thresholds[1], WORKBOOK.days_per_month
(True, 30.44)
"""

from __future__ import annotations

from dataclasses import dataclass

from custlib import labels

#: Days in the calendar's average year: tenures in years, monthly rates.
DAYS_PER_YEAR = 365.25

__all__ = [
    "PyramidPolicy", "PYRAMID",
    "LifecyclePolicy", "LIFECYCLE",
    "ValuePolicy", "VALUE",
    "SegmentationPolicy", "SEGMENTATION",
    "KeyAccountPolicy", "KEY_ACCOUNT",
    "GradingPolicy", "GRADING",
    "FunnelPolicy", "FUNNEL",
    "WorkbookPolicy", "WORKBOOK",
    "DAYS_PER_YEAR",
]


@dataclass(frozen=True)
class PyramidPolicy:
    """The customer pyramid (客户金字塔), digest §7.

    Attributes
    ----------
    tiers : tuple of str
        Tier names from the top: VIP (VIP客户), key/large (大客户), mid (中级客户),
        small (小客户).
    tiers_zh : tuple of str
        The Chinese names, for bilingual tables and charts.
    shares : tuple of float
        Share of customers in each tier, top first, by revenue rank: 1 / 4 / 15 / 80 %.
    thresholds : tuple of int
        Revenue cut-offs in CNY per customer and year between consecutive tiers, from
        the case: above ¥58,900 is VIP, above ¥19,000 key, above ¥4,820 mid. They are
        the cut-offs of the bundled synthetic data only; for other data see
        ``fit_ranks`` and :func:`custlib.pyramid.thresholds_for`.
    fit_ranks : tuple of float
        Cumulative rank shares at which the cut-offs of other data are read: the
        revenue at the 1 % / 5 % / 20 % ranks (the top of each tier of ``shares``,
        1, 1 + 4, 1 + 4 + 15 %) of the customers who bought in the first full year.
    pareto_target : float
        The "80" of the 80/20 rule: the revenue share whose customer share is sought.
    abc_cutoffs : tuple of float
        ABC classes by cumulative revenue share: A up to 80 %, B up to 95 %, C the rest.
    layers, layers_zh : tuple of str
        The pyramid's customers and the layers below it: inactive customers
        (不积极的客户, bought before), prospects (潜在客户), suspects (需置疑的客户).
    """

    tiers: tuple[str, ...] = tuple(labels.PYRAMID_TIERS)
    tiers_zh: tuple[str, ...] = tuple(labels.PYRAMID_TIERS.values())
    shares: tuple[float, ...] = (0.01, 0.04, 0.15, 0.80)
    thresholds: tuple[int, ...] = (58_900, 19_000, 4_820)
    fit_ranks: tuple[float, ...] = (0.01, 0.05, 0.20)
    pareto_target: float = 0.80
    abc_cutoffs: tuple[float, float] = (0.80, 0.95)
    layers: tuple[str, ...] = tuple(labels.LAYERS)
    layers_zh: tuple[str, ...] = tuple(labels.LAYERS.values())


#: The pyramid of the digest's §7 case.
PYRAMID = PyramidPolicy()


@dataclass(frozen=True)
class LifecyclePolicy:
    """Rules that place a customer in a lifecycle stage (客户生命周期), digest §5.

    Measured at an ``as_of`` date from the customer's order history.

    Attributes
    ----------
    new_days : int
        A customer whose first order is at most this many days old is in
        acquisition (客户获取) / exploration (考察期).
    exit_days : int
        No order for more than this many days: exit (客户离网); in the textbook
        scheme, decline (衰退期).
    window_days : int
        Length of the two windows compared for the trend: revenue in the last
        ``window_days`` against the ``window_days`` before.
    growth : float
        Trend above +``growth`` (fraction): growth (客户提升) / development (发展期).
    decline : float
        Trend below ``decline`` (a negative fraction): decline (客户衰退 / 衰退期).
    """

    new_days: int = 365
    exit_days: int = 365
    window_days: int = 365
    growth: float = 0.10
    decline: float = -0.10


LIFECYCLE = LifecyclePolicy()


@dataclass(frozen=True)
class ValuePolicy:
    """Customer value and retention economics (客户价值), digest §6.

    Attributes
    ----------
    discount_rate : float
        Yearly discount rate *d* for present values.
    retention : float
        Yearly retention rate *r* used when the caller gives none.
    retention_uplift : float
        The "+5 points of retention" of the Reichheld case, as a fraction.
    horizon_years : int
        Horizon of the finite-horizon lifetime value.
    rfm_bins : int
        Number of score classes per R, F and M dimension (quintiles).
    rfm_high_score : int
        A score at or above this is "high" in the eight RFM segments (重要/一般 ×
        价值/保持/发展/挽留).
    """

    discount_rate: float = 0.10
    retention: float = 0.80
    retention_uplift: float = 0.05
    horizon_years: int = 10
    rfm_bins: int = 5
    rfm_high_score: int = 3


VALUE = ValuePolicy()


@dataclass(frozen=True)
class SegmentationPolicy:
    """Segmentation schemes (客户细分), digest §8.

    Attributes
    ----------
    value_tiers, value_tiers_zh : tuple of str
        Zeithaml-style value tiers: platinum (铂金), gold (黄金), iron (钢铁), lead (重铅).
    value_shares : tuple of float
        Share of customers, by profit rank, in platinum and gold; iron is every other
        customer with positive profit, lead those with zero or negative profit.
    roles, roles_zh : tuple of str
        Management roles: key (关键客户), potential (潜力客户), regular (常规客户),
        temporary (临时客户).
    key_share : float
        Top share of customers by revenue that are key.
    potential_headroom : int
        Purchase headroom (estimators - seats owned, in seats) from which a
        non-key customer counts as potential.
    relationships, relationships_zh : tuple of str
        Relationship classes: potential (潜在), new (新客户), old (老客户), big (大客户),
        small (小客户).
    new_days : int
        A buyer whose first order is at most this many days old is new: the
        lifecycle's acquisition window, ``LIFECYCLE.new_days``.
    big_share : float
        Top share of established buyers, by revenue, that are big.
    """

    value_tiers: tuple[str, ...] = tuple(labels.VALUE_TIERS)
    value_tiers_zh: tuple[str, ...] = tuple(labels.VALUE_TIERS.values())
    value_shares: tuple[float, float] = (0.05, 0.15)
    roles: tuple[str, ...] = tuple(labels.ROLES)
    roles_zh: tuple[str, ...] = tuple(labels.ROLES.values())
    key_share: float = 0.05
    potential_headroom: int = 5
    relationships: tuple[str, ...] = tuple(labels.RELATIONSHIPS)
    relationships_zh: tuple[str, ...] = tuple(labels.RELATIONSHIPS.values())
    new_days: int = LIFECYCLE.new_days
    big_share: float = 0.20


SEGMENTATION = SegmentationPolicy()


@dataclass(frozen=True)
class KeyAccountPolicy:
    """The key-account selection matrix (关键客户识别与选择矩阵), digest §9.

    Scores are weighted sums of criteria, each scaled to 0–1 (percentile rank among
    the customers scored); a score at or above ``cutoff`` is "high".

    Attributes
    ----------
    attractiveness : tuple of (str, float)
        Criteria of customer attractiveness (客户吸引力) and their weights.
    advantage : tuple of (str, float)
        Criteria of our relative advantage (相对优势) and their weights.
    cutoff : float
        Threshold between low and high on both axes.
    quadrants, quadrants_zh : tuple of str
        (high, high), (high attractiveness, low advantage), (low, high), (low, low):
        key (关键客户), key development (关键发展客户), maintenance (维持客户),
        opportunistic (机会主义客户).
    """

    attractiveness: tuple[tuple[str, float], ...] = (
        ("revenue", 0.35), ("headroom", 0.35), ("important", 0.30))
    advantage: tuple[tuple[str, float], ...] = (
        ("our_seat_share", 0.50), ("visits", 0.30), ("tenure", 0.20))
    cutoff: float = 0.5
    quadrants: tuple[str, ...] = tuple(labels.QUADRANTS)
    quadrants_zh: tuple[str, ...] = tuple(labels.QUADRANTS.values())


KEY_ACCOUNT = KeyAccountPolicy()


@dataclass(frozen=True)
class GradingPolicy:
    """Prospect grades A/B/C/D (客户分级) and contact cadence (维护原则), digest §10.

    Attributes
    ----------
    close_months : tuple of int
        Version 1 (time to close): A closes within 3 months, B within 6, C within 12,
        D later or never.
    probability : tuple of float
        Version 2 (the cost-estimation workbook): minimum close probability for A and B.
    within_months : tuple of int
        Version 2: A closes within 1 month, B within 3 months.
    c_min_probability : float
        Version 2 reading for C: still engaged (probability at least this), any date.
    visits_per_week, calls_per_week : tuple of float
        Cadence per grade A, B, C, D: A a visit (or two calls) a week; B a call a week
        and a visit a fortnight; C a call a fortnight and a visit a month; D a call a
        month (general-user care).
    important_contacts_per_week : float
        Important users: a weekly call or visit plan.
    important_estimators, important_headroom, important_revenue : int, int, float
        User importance (重要用户, §10) reading: important when the organisation is
        large (at least ``important_estimators`` cost estimators), has add-on
        potential (purchase headroom of at least ``important_headroom`` seats) or
        shows ability to pay (yearly revenue of at least ``important_revenue`` CNY,
        the key-customer threshold of the §7 pyramid); otherwise general (一般用户).
        ``important_revenue`` is ``PYRAMID.thresholds[1]`` (the bundled data's); for
        other data it follows the data's key cut-off,
        :func:`custlib.grading.important_revenue_for`.
    potential_headroom, penetration : int, float
        Market-space axes (市场空间分类): high potential when purchase headroom is at
        least ``potential_headroom`` seats (``SEGMENTATION.potential_headroom``, the
        same headroom that makes a customer potential); low penetration when our seats are below
        ``penetration`` of the estimators. A = high potential & low penetration,
        B = high & high, C = low & low, D = low & high (reading).
    """

    close_months: tuple[int, ...] = (3, 6, 12)
    probability: tuple[float, ...] = (0.75, 0.50)
    within_months: tuple[int, ...] = (1, 3)
    c_min_probability: float = 0.20
    visits_per_week: tuple[float, ...] = (1.0, 0.5, 0.25, 0.0)
    calls_per_week: tuple[float, ...] = (2.0, 1.0, 0.5, 0.25)
    important_contacts_per_week: float = 1.0
    important_estimators: int = 40
    important_headroom: int = 20
    important_revenue: float = PYRAMID.thresholds[1]
    potential_headroom: int = SEGMENTATION.potential_headroom
    penetration: float = 0.5


GRADING = GradingPolicy()


@dataclass(frozen=True)
class FunnelPolicy:
    """Prospect management and funnel math (潜在客户管理), digest §12.

    Attributes
    ----------
    close_rate : float
        Closes per prospect: "one in five" (五分之一).
    thirds : tuple of float
        Rule of thirds (三分之一规则): share who buy whatever we do, who never buy,
        and who depend on our work.
    prospect2_criteria : tuple of str
        The five criteria of active prospect 2 (有效潜在客户二).
    priorities : tuple of str
        The eight kinds of a salesperson's work, most important first.
    empty_front_share : float
        A pipeline whose opportunity + first-appointment share of open items is below
        this has an empty front (newcomer, or veteran who stopped prospecting, §12).
        A steady funnel holds about half its open items in the front.
    pileup_share : float
        A pipeline whose prospect-1 + prospect-2 share of open items is above this has
        a middle pile-up ("proposal pending", §12). A steady funnel holds about 40 %
        there. Checked after the empty front, which also looks heavy in the middle.
    """

    close_rate: float = 1 / 5
    thirds: tuple[float, float, float] = (1 / 3, 1 / 3, 1 / 3)
    prospect2_criteria: tuple[str, ...] = (
        "talking_to_decision_maker", "proposal_fits", "budget_and_price_accepted",
        "timeline_fits", "further_development")
    priorities: tuple[str, ...] = (
        "contact_new_leads", "first_meetings", "prospect_3_to_closed", "prospect_2_to_3",
        "prospect_1_to_2", "after_sales_calls", "fallback_first_meetings", "special_projects")
    empty_front_share: float = 0.25
    pileup_share: float = 0.55


FUNNEL = FunnelPolicy()


@dataclass(frozen=True)
class WorkbookPolicy:
    """Windows of the customer-analysis workbook (客户分析表), digest §11.

    The 12-month windows themselves are those of :func:`custlib.period.window`.

    Attributes
    ----------
    revenue_months : int
        Length of the sales window of the master table and of the pyramid sheet
        (months up to the analysis date).
    recent_days : int
        "Visited in the last three months" and the visit and call frequencies are
        measured over the last ``recent_days`` days.
    days_per_month : float
        Days in an average month (:data:`DAYS_PER_YEAR` / 12 = 30.44), to turn counts
        over ``recent_days`` into counts per month.
    pareto_tops : tuple of float
        The top shares of customers whose revenue share the Pareto sheet gives (the
        80/20 reading, digest §7; the 80 % itself is ``PYRAMID.pareto_target``).
    """

    revenue_months: int = 12
    recent_days: int = 90
    days_per_month: float = round(DAYS_PER_YEAR / 12, 2)
    pareto_tops: tuple[float, ...] = (0.01, 0.05, 0.10, 0.20, 0.50)


WORKBOOK = WorkbookPolicy()
