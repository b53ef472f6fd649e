"""The course's words: every label shown to a learner or a manager, English key → 中文.

One place for the Chinese names, so a sheet, a lesson's table and a chart cannot
name the same concept two ways. The policies (:mod:`custlib.policy`) take their tier,
role and quadrant names from here; the methods add a ``*_zh`` column from here.

Examples
--------
>>> PYRAMID_TIERS["key"], FUNNEL_STAGES["prospect_1"], IMPORTANCE["general"]
('大客户', '有效潜在客户一', '一般用户')
>>> sheet_name("pyramid"), sheet_key("pyramid · 客户金字塔")
('pyramid · 客户金字塔', 'pyramid')
"""

from __future__ import annotations

__all__ = ["PYRAMID_TIERS", "LAYERS", "VALUE_TIERS", "ROLES", "RELATIONSHIPS", "QUADRANTS",
           "FUNNEL_STAGES", "IMPORTANCE", "DIAGNOSES", "ROLLUPS", "SHEETS", "sheet_name",
           "sheet_key"]

#: The customer pyramid's tiers (客户金字塔, digest §7), top first.
PYRAMID_TIERS = {"vip": "VIP客户", "key": "大客户", "mid": "中级客户", "small": "小客户"}
#: The layers of the wider pyramid (digest §7): buyers, then those who have not bought.
LAYERS = {"customer": "客户", "inactive": "不积极的客户", "prospect": "潜在客户",
          "suspect": "需置疑的客户"}
#: Value tiers (客户细分, digest §8).
VALUE_TIERS = {"platinum": "铂金", "gold": "黄金", "iron": "钢铁", "lead": "重铅"}
#: Management roles (digest §8).
ROLES = {"key": "关键客户", "potential": "潜力客户", "regular": "常规客户", "temporary": "临时客户"}
#: Relationship classes (digest §8).
RELATIONSHIPS = {"potential": "潜在客户", "new": "新客户", "old": "老客户", "big": "大客户",
                 "small": "小客户"}
#: Quadrants of the key-account matrix (大客户矩阵, digest §9).
QUADRANTS = {"key": "关键客户", "key_development": "关键发展客户", "maintenance": "维持客户",
             "opportunistic": "机会主义客户"}
#: Stages of the sales funnel (销售漏斗, digest §12).
FUNNEL_STAGES = {"opportunity": "销售机会", "first_appointment": "首次会晤对象",
                 "prospect_1": "有效潜在客户一", "prospect_2": "有效潜在客户二",
                 "prospect_3": "有效潜在客户三", "won": "成交", "lost": "丢单"}
#: User importance (重要用户, digest §10).
IMPORTANCE = {"important": "重要用户", "general": "一般用户"}
#: Diagnoses of a rep's open pipeline (digest §12).
DIAGNOSES = {"healthy": "健康", "empty front": "前端空缺", "middle pile-up": "中段堆积"}
#: The monthly roll-ups of the customer-analysis workbook (客户分析表, digest §11).
ROLLUPS = {"classification_summary": "客户分类汇总表", "organisation_purchases": "单位购买汇总表",
           "individual_purchases": "个人购买汇总表", "upgrade_analysis": "用户升级分析表"}
#: The sheets of the manager's workbook, in English (the key) and Chinese.
SHEETS = {"about": "说明", "pyramid": "客户金字塔", "master": "客户分析总表",
          "classification": ROLLUPS["classification_summary"],
          "organisation": ROLLUPS["organisation_purchases"],
          "individual": ROLLUPS["individual_purchases"],
          "upgrades": ROLLUPS["upgrade_analysis"], "pareto": "二八法则",
          "lifecycle": "生命周期", "funnel": "销售漏斗", "grades": "客户分级",
          "early warning": "流失预警"}
_SEP = " · "
_KEYS = {f"{k}{_SEP}{zh}": k for k, zh in SHEETS.items()}


def sheet_name(key: str) -> str:
    """The sheet's name in the workbook: ``"pyramid · 客户金字塔"``."""
    return f"{key}{_SEP}{SHEETS[key]}"


def sheet_key(name: str) -> str | None:
    """The key of a workbook sheet's name (None for a name that is not one)."""
    return _KEYS.get(name)
