"""Word lists for the synthetic CRM, in both languages.

Organisation names are composed as ``city + brand + descriptor + legal suffix``
(Faker's zh_CN ``company()`` has only a few hundred distinct names, far too few
for a customer base). Brands are two syllables drawn from :data:`BRAND_SYLLABLES`.
"""

from __future__ import annotations

#: (character, pinyin) syllables used in firm brand names.
BRAND_SYLLABLES: tuple[tuple[str, str], ...] = (
    ("宏", "Hong"), ("远", "Yuan"), ("鑫", "Xin"), ("华", "Hua"), ("建", "Jian"), ("恒", "Heng"),
    ("泰", "Tai"), ("正", "Zheng"), ("德", "De"), ("信", "Xin"), ("安", "An"), ("盛", "Sheng"),
    ("达", "Da"), ("中", "Zhong"), ("通", "Tong"), ("广", "Guang"), ("联", "Lian"), ("金", "Jin"),
    ("国", "Guo"), ("兴", "Xing"), ("创", "Chuang"), ("天", "Tian"), ("海", "Hai"), ("明", "Ming"),
    ("瑞", "Rui"), ("和", "He"), ("嘉", "Jia"), ("新", "Xin"), ("东", "Dong"), ("方", "Fang"),
    ("博", "Bo"), ("宇", "Yu"), ("凯", "Kai"), ("利", "Li"), ("诚", "Cheng"), ("永", "Yong"),
    ("昌", "Chang"), ("隆", "Long"), ("丰", "Feng"), ("城", "Cheng"), ("力", "Li"), ("元", "Yuan"),
    ("晟", "Sheng"), ("域", "Yu"), ("辉", "Hui"), ("峰", "Feng"), ("圣", "Sheng"), ("坤", "Kun"),
    ("久", "Jiu"), ("立", "Li"), ("汇", "Hui"), ("众", "Zhong"), ("卓", "Zhuo"), ("越", "Yue"),
    ("鼎", "Ding"), ("弘", "Hong"), ("启", "Qi"), ("航", "Hang"), ("润", "Run"), ("筑", "Zhu"),
)

#: Descriptor of the firm's business, by organisation type; contractors by business line.
#: Each entry is (Chinese, English).
DESCRIPTORS: dict[str, tuple[tuple[str, str], ...]] = {
    "owner": (("房地产开发", "Real Estate Development"), ("置业", "Property"),
              ("城市建设投资", "Urban Construction Investment"), ("实业", "Industrial")),
    "intermediary": (("工程造价咨询", "Cost Consulting"), ("工程咨询", "Engineering Consulting"),
                     ("工程项目管理", "Project Management"), ("招标代理", "Tendering Agency")),
    "other": (("建筑设计", "Architectural Design"), ("工程检测", "Construction Testing"),
              ("建材贸易", "Building Materials Trading")),
    "civil": (("建设工程", "Construction Engineering"), ("建筑工程", "Building Engineering"),
              ("土木工程", "Civil Engineering")),
    "installation": (("机电安装工程", "M&E Installation"), ("安装工程", "Installation Engineering"),
                     ("设备安装", "Equipment Installation")),
    "municipal": (("市政工程", "Municipal Engineering"), ("路桥工程", "Road & Bridge Engineering"),
                  ("市政建设", "Municipal Construction")),
    "decoration": (("装饰工程", "Decoration Engineering"), ("建筑装饰设计", "Interior Design & Fit-out"),
                   ("装修工程", "Fit-out Engineering")),
    "landscape": (("园林绿化工程", "Landscaping"), ("景观工程", "Landscape Engineering"),
                  ("园林建设", "Garden Construction")),
}

#: Legal-form suffixes (Chinese, English).
SUFFIXES: tuple[tuple[str, str], ...] = (
    ("有限公司", "Co., Ltd."), ("有限责任公司", "LLC"), ("股份有限公司", "Corp."),
    ("集团有限公司", "Group Co., Ltd."),
)

#: Job titles by decision role (Chinese, English).
TITLES: dict[str, tuple[tuple[str, str], ...]] = {
    "decision_maker": (("总经理", "General Manager"), ("副总经理", "Deputy General Manager"),
                       ("总工程师", "Chief Engineer"), ("董事长", "Chairman")),
    "influencer": (("造价部经理", "Cost Department Manager"), ("财务经理", "Finance Manager"),
                   ("技术负责人", "Technical Lead"), ("信息化主管", "IT Manager")),
    "user": (("预算员", "Cost Estimator"), ("造价工程师", "Cost Engineer"),
             ("预算主管", "Senior Estimator")),
    "coach": (("项目助理", "Project Assistant"), ("预算员", "Cost Estimator"),
              ("行政主管", "Office Manager")),
}

#: Competing cost-estimation products (fictional).
COMPETITORS: tuple[tuple[str, str], ...] = (
    ("筑算", "BuildCalc"), ("易算", "EasyQuant"), ("精量", "PreciseQS"), ("广测", "MeasurePro"),
)

#: Event themes (Chinese, English); the event name adds the season and the city.
EVENT_THEMES: tuple[tuple[str, str], ...] = (
    ("新品发布会", "New Release Launch"), ("造价技能培训", "Estimating Skills Workshop"),
    ("客户答谢会", "Customer Appreciation Evening"), ("行业研讨会", "Industry Seminar"),
)

#: E-mail domains for zh_CN contacts.
ZH_EMAIL_DOMAINS: tuple[str, ...] = ("qq.com", "163.com", "126.com", "sina.com", "139.com")

#: Valid mainland mobile prefixes (three digits; eight random digits follow).
MOBILE_PREFIXES: tuple[int, ...] = (
    130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157,
    158, 159, 166, 173, 176, 177, 178, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189,
    191, 198, 199,
)
