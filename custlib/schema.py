"""The canonical CRM schema: every table, every column, one place.

The synthetic generator writes these tables, the loader reads and checks them,
and the data dictionary (``data/synthetic/README.md``) is rendered from them, so
the three can never disagree.

Each column carries its type, unit, allowed values, meaning and the matching
field of the seed customer-analysis workbook (客户分析表, digest §11) in Chinese.

Types
-----
``string``
    free text (read as pandas ``string``).
``category``
    one of ``allowed`` (read as an unordered pandas ``Categorical`` with those
    categories, in the order listed here). A column marked ``open`` is descriptive
    (product line, business line, region, …): a user's own values are accepted as
    they are and added as further categories; a closed column drives a formula
    (stage, role, grade, …) and its values must be mapped onto ``allowed``.
``int``
    whole number (read as ``int64``; nullable columns as ``Int64``).
``float``
    real number (``float64``).
``money``
    an amount in the currency of the data (``float64``): cents (fen) are kept, and
    only the display rounds them.
``date``
    calendar date written ``YYYY-MM-DD`` (read as ``datetime64``).
``bool``
    ``true`` / ``false``.

Examples
--------
>>> from custlib.schema import TABLES
>>> TABLES["orders"].key
'order_id'
>>> TABLES["orders"].column("amount").unit
'CNY'
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Column",
    "Table",
    "TABLES",
    "TABLE_ORDER",
    "CORE",
    "ORG_TYPES",
    "BUSINESS_LINES",
    "STATUS_LAYERS",
    "CONTACT_ROLES",
    "PRODUCT_LINES",
    "BUYER_KINDS",
    "OPPORTUNITY_SOURCES",
    "OPEN_STAGES",
    "STAGES",
    "STAGE_DATE_COLUMNS",
    "LOST_REASONS",
    "ACTIVITY_TYPES",
    "ACTIVITY_OUTCOMES",
    "EVENT_CHANNELS",
    "IMPORTANCE",
    "REGIONS",
    "REPORT_COLUMNS",
    "column_zh",
]

# --- allowed values (the vocabularies of the digest) -------------------------

#: Organisation type, digest §11 (甲方 / 乙方 / 中介 / 其他).
ORG_TYPES = ("owner", "contractor", "intermediary", "other")
#: Business line of the organisation, digest §11 (土建 / 安装 / 市政 / 装饰 / 园林).
BUSINESS_LINES = ("civil", "installation", "municipal", "decoration", "landscape")
#: Layer of the customer pyramid and below it, digest §7.
STATUS_LAYERS = ("customer", "inactive", "prospect", "suspect")
#: Role of a contact in the buying decision, digest §9 (决策层 / 影响层 / 执行层 / 教练).
CONTACT_ROLES = ("decision_maker", "influencer", "user", "coach")
#: Product lines of the fictional vendor of cost-estimation software.
PRODUCT_LINES = ("estimating", "quantity_takeoff", "rebar", "training_service")
#: Who paid: the organisation or an individual estimator (单位购买 / 个人购买), digest §11.
BUYER_KINDS = ("organisation", "individual")
#: Where a sales opportunity came from, digest §12.
OPPORTUNITY_SOURCES = ("candidate", "predicted", "advertising", "referral", "fallback")
#: Pipeline categories still open, in funnel order, digest §12.
OPEN_STAGES = ("opportunity", "first_appointment", "prospect_1", "prospect_2", "prospect_3")
#: Every value of ``opportunities.stage``: the open categories, then the two endings.
STAGES = OPEN_STAGES + ("won", "lost")
#: The column holding the date each stage was entered.
STAGE_DATE_COLUMNS = {
    "opportunity": "opportunity_date",
    "first_appointment": "first_appointment_date",
    "prospect_1": "prospect_1_date",
    "prospect_2": "prospect_2_date",
    "prospect_3": "prospect_3_date",
    "won": "won_date",
    "lost": "lost_date",
}
#: Why an opportunity was lost.
LOST_REASONS = ("no_budget", "chose_competitor", "no_decision", "no_need", "no_response")
#: Contact activity types: a visit, a phone call, or a structured customer meeting (客户会谈, §7).
ACTIVITY_TYPES = ("visit", "call", "meeting")
#: What came of an activity.
ACTIVITY_OUTCOMES = ("next_step_agreed", "information_given", "no_progress", "not_reached")
#: How an event invitation was delivered, digest §11 (邀请方式).
EVENT_CHANNELS = ("phone", "sms", "email", "wechat", "visit")
#: User importance, digest §10 (重要用户 / 一般用户).
IMPORTANCE = ("important", "general")
#: Sales regions of the fictional vendor.
REGIONS = ("north", "east", "south", "central", "west")


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    dtype: str
    description: str
    unit: str = ""
    allowed: tuple[str, ...] | None = None
    nullable: bool = False
    minimum: float | None = None
    zh: str = ""
    #: A descriptive category: values outside ``allowed`` are accepted (see Types).
    open: bool = False

    def __post_init__(self) -> None:
        if self.dtype not in {"string", "category", "int", "float", "money", "date", "bool"}:
            raise ValueError(f"column {self.name!r}: unknown dtype {self.dtype!r}")
        if (self.dtype == "category") != (self.allowed is not None):
            raise ValueError(f"column {self.name!r}: categories need allowed values")


@dataclass(frozen=True)
class Table:
    """A canonical table: its file name, primary key, columns and references."""

    name: str
    description: str
    key: str | None
    columns: tuple[Column, ...]
    references: dict[str, str] = field(default_factory=dict)
    zh: str = ""
    #: Rows may share the key when they are lines of one record (the lines of one
    #: order: same ``order_id``, same customer); the key then names the record.
    lines: bool = False

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}; it has {self.names}")


C = Column

REPS = Table(
    "reps",
    "The sales representatives (销售人员) and the region each covers.",
    "rep_id",
    (
        C("rep_id", "string", "Sales rep identifier.", zh="销售人员编号"),
        C("rep_name", "string", "Sales rep's name.", zh="销售人员"),
        C("region", "category", "Sales region the rep covers.", allowed=REGIONS, open=True, zh="区域"),
        C("hire_date", "date", "Date the rep joined the company.", zh="入职日期"),
    ),
    zh="销售人员表",
)

CUSTOMERS = Table(
    "customers",
    "Every organisation in the CRM: buying customers, inactive customers, prospects "
    "and suspects (客户金字塔 and the layers below it, digest §7), with the "
    "classification and needs fields of the workbook (digest §11).",
    "customer_id",
    (
        C("customer_id", "string", "Customer (organisation) identifier.", zh="客户编号"),
        C("customer_name", "string", "Organisation name, unique.", zh="客户名称"),
        C("org_type", "category", "Organisation type.", allowed=ORG_TYPES, open=True, zh="单位类型"),
        C("business_line", "category", "Main business line.", allowed=BUSINESS_LINES, open=True, zh="专业"),
        C("province", "string", "Province (or province-level city).", zh="省份"),
        C("city", "string", "City, always inside `province`.", zh="城市"),
        C("estimators", "int", "Number of cost estimators employed.", unit="people",
          minimum=0, zh="预算员人数"),
        C("seats_owned", "int", "Seats of our software the organisation owns.", unit="seats",
          minimum=0, zh="已有软件数量"),
        C("competitor", "string", "Competitor product in use; empty if none.", nullable=True,
          zh="竞争对手名称"),
        C("competitor_seats", "int", "Seats of the competitor product in use.", unit="seats",
          minimum=0, zh="竞争对手软件数量"),
        C("importance", "category", "User importance (digest §10).", allowed=IMPORTANCE,
          zh="用户重要性"),
        C("first_contact_date", "date", "First recorded contact with the organisation.",
          zh="首次接触日期"),
        C("first_purchase_date", "date", "Date of the first order; empty for non-buyers.",
          nullable=True, zh="首次购买日期"),
        C("rep_id", "string", "Owning sales rep.", zh="销售人员"),
        C("status_layer", "category",
          "Layer at the snapshot date: `customer` bought in the last full year, `inactive` "
          "bought before but not since, `prospect` has reached a first appointment without "
          "buying, `suspect` is listed but not yet qualified.",
          allowed=STATUS_LAYERS, zh="客户层级"),
    ),
    references={"rep_id": "reps"},
    zh="客户分析总表（客户信息）",
)

CONTACTS = Table(
    "contacts",
    "People at each organisation and their role in the buying decision (digest §9, §11).",
    "contact_id",
    (
        C("contact_id", "string", "Contact identifier.", zh="联系人编号"),
        C("customer_id", "string", "Organisation the contact works for.", zh="客户编号"),
        C("contact_name", "string", "Person's name.", zh="联系人"),
        C("role", "category", "Role in the decision structure (下楼式营销, digest §9).",
          allowed=CONTACT_ROLES, zh="角色"),
        C("title", "string", "Job title.", zh="职务"),
        C("mobile", "string", "Mobile number.", zh="手机"),
        C("email", "string", "E-mail address.", zh="邮箱"),
        C("qq", "string", "QQ number (zh_CN data only; empty otherwise).", nullable=True, zh="QQ"),
        C("birthday", "date", "Date of birth.", nullable=True, zh="生日"),
    ),
    references={"customer_id": "customers"},
    zh="客户分析总表（联系人）",
)

ORDERS = Table(
    "orders",
    "Every order line: what was sold to whom, when, for how much and at what cost.",
    "order_id",
    (
        C("order_id", "string", "Order identifier.", zh="订单编号"),
        C("customer_id", "string", "Buying organisation.", zh="客户编号"),
        C("order_date", "date", "Date of the order.", zh="成交日期"),
        C("product_line", "category", "Product line sold.", allowed=PRODUCT_LINES, open=True,
          zh="成交产品"),
        C("seats", "int", "Seats (licences) sold; 0 for services.", unit="seats", minimum=0,
          zh="数量"),
        C("amount", "money", "Revenue of the order.", unit="CNY", minimum=0, zh="成交金额"),
        C("cost", "money", "Cost of the order: licences, channel commission, delivery, "
          "installation and training visits.", unit="CNY",
          minimum=0, zh="成本"),
        C("buyer_kind", "category", "Organisation purchase or individual purchase (digest §11).",
          allowed=BUYER_KINDS, zh="单位购买/个人购买"),
        C("is_upgrade", "bool", "The order upgrades software the customer already owns.",
          zh="是否升级"),
    ),
    references={"customer_id": "customers"},
    zh="订单表",
    lines=True,
)

OPPORTUNITIES = Table(
    "opportunities",
    "Sales opportunities and the date each pipeline category was entered "
    "(digest §12): opportunity → first appointment → prospect 1 → 2 → 3 → won, "
    "or lost with a reason. A stage date is empty if the stage was never reached.",
    "opportunity_id",
    (
        C("opportunity_id", "string", "Opportunity identifier.", zh="机会编号"),
        C("customer_id", "string", "Organisation the opportunity is with.", zh="客户编号"),
        C("rep_id", "string", "Sales rep working the opportunity.", zh="销售人员"),
        C("source", "category", "Where the opportunity came from (digest §12).",
          allowed=OPPORTUNITY_SOURCES, open=True, zh="机会来源"),
        C("stage", "category", "Current pipeline category, or how it ended.", allowed=STAGES,
          zh="目前销售阶段"),
        C("opportunity_date", "date", "Entered: sales opportunity (销售机会).", zh="机会日期"),
        C("first_appointment_date", "date", "Entered: first appointment (首次会晤对象).",
          nullable=True, zh="首次会晤日期"),
        C("prospect_1_date", "date", "Entered: active prospect 1 (有效潜在客户一).",
          nullable=True, zh="有效潜在客户一日期"),
        C("prospect_2_date", "date", "Entered: active prospect 2 (有效潜在客户二).",
          nullable=True, zh="有效潜在客户二日期"),
        C("prospect_3_date", "date", "Entered: active prospect 3 (有效潜在客户三).",
          nullable=True, zh="有效潜在客户三日期"),
        C("won_date", "date", "Closed: won (成交).", nullable=True, zh="成交日期"),
        C("lost_date", "date", "Closed: lost.", nullable=True, zh="丢单日期"),
        C("lost_reason", "category", "Why it was lost; empty unless lost.", allowed=LOST_REASONS, open=True,
          nullable=True, zh="丢单原因"),
        C("expected_close_date", "date",
          "Expected (open) or actual (closed) close date; may lie after the snapshot for open "
          "opportunities.", zh="预计购买时间"),
        C("expected_value", "money", "Expected deal value.", unit="CNY", minimum=0,
          zh="预计成交金额"),
        C("product_line", "category", "Expected (or, when won, actual) product line.",
          allowed=PRODUCT_LINES, open=True, zh="预计成交产品"),
        C("buyer_kind", "category", "Organisation or individual purchase (digest §11).",
          allowed=BUYER_KINDS, zh="单位购买/个人购买"),
        C("is_upgrade", "bool", "The deal upgrades software the customer already owns.",
          zh="是否升级"),
        C("probability", "float", "Close probability the rep assigns.", unit="0–1", minimum=0,
          zh="成交概率"),
    ),
    references={"customer_id": "customers", "rep_id": "reps"},
    zh="销售机会表",
)

ACTIVITIES = Table(
    "activities",
    "Visits, calls and structured customer meetings, following each grade's contact "
    "cadence (维护原则, digest §10) with noise.",
    "activity_id",
    (
        C("activity_id", "string", "Activity identifier.", zh="活动编号"),
        C("activity_date", "date", "Date of the activity.", zh="日期"),
        C("customer_id", "string", "Organisation contacted.", zh="客户编号"),
        C("contact_id", "string", "Person contacted.", zh="联系人编号"),
        C("rep_id", "string", "Rep who made the contact.", zh="销售人员"),
        C("activity_type", "category", "Visit, call, or structured customer meeting (客户会谈).",
          allowed=ACTIVITY_TYPES, zh="拜访/电话"),
        C("outcome", "category", "What came of it.", allowed=ACTIVITY_OUTCOMES, zh="结果"),
    ),
    references={"customer_id": "customers", "contact_id": "contacts", "rep_id": "reps"},
    zh="拜访记录",
)

EVENTS = Table(
    "events",
    "Market-event invitations (活动邀约, digest §11): one row per customer on an "
    "event's invitation list.",
    "invitation_id",
    (
        C("invitation_id", "string", "Invitation identifier.", zh="邀约编号"),
        C("event_id", "string", "Event identifier.", zh="活动编号"),
        C("event_name", "string", "Event name.", zh="活动"),
        C("event_date", "date", "Date the event took place.", zh="计划时间"),
        C("customer_id", "string", "Organisation on the invitation list.", zh="客户编号"),
        C("invited", "bool", "The invitation actually reached the customer.", zh="是否邀请"),
        C("channel", "category", "How the invitation was delivered; empty if not invited.",
          allowed=EVENT_CHANNELS, open=True, nullable=True, zh="邀请方式"),
        C("attended", "bool", "The customer attended.", zh="到场"),
        C("deal_amount", "money", "Sales closed at or because of the event.", unit="CNY",
          minimum=0, zh="成交金额"),
    ),
    references={"customer_id": "customers"},
    zh="活动邀约表",
)

#: Tables in dependency order (a table only refers to tables before it).
TABLE_ORDER = ("reps", "customers", "contacts", "orders", "opportunities", "activities", "events")
TABLES: dict[str, Table] = {
    t.name: t for t in (REPS, CUSTOMERS, CONTACTS, ORDERS, OPPORTUNITIES, ACTIVITIES, EVENTS)
}

#: The columns a table must have when it is supplied at all: the minimum of the input
#: contract. Every other column may be absent from a user's export; the loader then
#: adds it empty and the lessons that need it are skipped with the reason. A missing
#: key (other than ``customer_id`` of customers) is numbered from the file's lines by
#: :mod:`custlib.io`.
CORE: dict[str, tuple[str, ...]] = {
    "reps": ("rep_id",),
    "customers": ("customer_id",),
    "contacts": ("customer_id",),
    "orders": ("customer_id", "order_date", "amount"),
    "opportunities": ("customer_id", "stage"),
    "activities": ("customer_id", "activity_date", "activity_type"),
    "events": ("customer_id", "event_date"),
}


#: Chinese names of the columns the analyses derive (the master table's derived fields,
#: the roll-ups and the workbook's tables), for the bilingual headers of the workbook.
#: A name here wins over a table column of the same name: ``stage`` of the lifecycle
#: table is ``lifecycle_stage``, so ``stage`` stays the sales stage.
REPORT_COLUMNS: dict[str, str] = {
    # master table (客户分析总表), digest §11
    "headroom": "增购空间",
    "market_space": "市场空间",
    "visited_recently": "近三月是否拜访",
    "visits_per_month": "月拜访次数",
    "calls_per_month": "月电话次数",
    "last_contact_date": "最近联系日期",
    "revenue_12m": "近12个月销售额",
    "grade": "客户分级",
    "expected_sales_value": "预期销售额",
    "open_deals": "在谈项目数",
    "open_value_total": "在谈金额合计",
    "expected_sales_value_total": "预期销售额合计",
    "org_purchase_3m": "三个月内单位购买",
    "individual_purchase_3m": "三个月内个人购买",
    "events_invited": "邀请次数",
    "events_attended": "到场次数",
    "event_deal_amount": "活动成交金额",
    # roll-ups (汇总表)
    "dimension": "分类维度",
    "value": "取值",
    "customers": "客户数",
    "share_customers": "客户占比",
    "deals": "项目数",
    "deals_within_3_months": "三个月内成交项目数",
    "upgrade_deals": "升级项目数",
    "upgrade_value": "升级金额",
    # pyramid (客户金字塔), Pareto, lifecycle, funnel, grades
    "tier": "层级",
    "cut_off": "分层门槛",
    "revenue": "销售额",
    "avg_revenue": "平均销售额",
    "min_revenue": "最低销售额",
    "max_revenue": "最高销售额",
    "share_revenue": "销售额占比",
    "measure": "指标",
    "unit": "单位",
    "scheme": "划分方式",
    "lifecycle_stage": "生命周期阶段",
    "stage_zh": "阶段名称",
    "reached": "到达数",
    "rate": "转化率",
    "cumulative": "累计转化率",
    "by time to close": "按成交时间",
    "by probability": "按成交概率",
    # early warning (流失预警): custlib.predict
    "p_alive": "活跃概率",
    "predicted_value": "预测价值(12个月)",
    "frequency": "复购天数",
    "days_silent": "未购天数",
    "value_if_alive": "若仍活跃的价值",
    "value_at_risk": "流失风险价值",
    # the workbook's own pages
    "table": "表",
    "rows": "行数",
    "file": "文件",
    "section": "类别",
    "item": "项目",
    "note": "说明",
}

#: Tables whose Chinese column names win when several tables share a column name: the
#: deal's product line (预计成交产品) over the order's (成交产品).
_ZH_ORDER = ("customers", "contacts", "opportunities", "activities", "events", "reps", "orders")


def column_zh(name: str) -> str:
    """The Chinese name of a column: :data:`REPORT_COLUMNS`, else a table's ``zh``.

    Parameters
    ----------
    name : str
        A canonical or derived column name.

    Returns
    -------
    str
        The Chinese name, or ``""`` when none is known.

    Examples
    --------
    >>> column_zh("revenue_12m"), column_zh("customer_name"), column_zh("product_line")
    ('近12个月销售额', '客户名称', '预计成交产品')
    >>> column_zh("no_such_column")
    ''
    """
    if name in REPORT_COLUMNS:
        return REPORT_COLUMNS[name]
    for table in _ZH_ORDER:
        for col in TABLES[table].columns:
            if col.name == name:
                return col.zh
    return ""
