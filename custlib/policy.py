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
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PyramidPolicy", "PYRAMID"]


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
        the case: above ¥58,900 is VIP, above ¥19,000 key, above ¥4,820 mid.
    """

    tiers: tuple[str, ...] = ("vip", "key", "mid", "small")
    tiers_zh: tuple[str, ...] = ("VIP客户", "大客户", "中级客户", "小客户")
    shares: tuple[float, ...] = (0.01, 0.04, 0.15, 0.80)
    thresholds: tuple[int, ...] = (58_900, 19_000, 4_820)


#: The pyramid of the digest's §7 case.
PYRAMID = PyramidPolicy()
