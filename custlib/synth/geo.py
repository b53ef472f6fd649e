"""Provinces, their cities and the vendor's sales regions.

Province weights are the firm counts of the regional sizing table of digest §13
(236 firms surveyed by province), so the synthetic customer base is spread the way
that table describes. Every city belongs to its province: a customer's city is
drawn *within* its province, never independently.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Province:
    zh: str
    en: str
    region: str
    weight: int  # firms in the digest §13 table
    cities: tuple[tuple[str, str], ...]  # (Chinese, romanised), largest first


PROVINCES: tuple[Province, ...] = (
    Province("广东省", "Guangdong", "south", 63, (
        ("广州", "Guangzhou"), ("深圳", "Shenzhen"), ("佛山", "Foshan"), ("东莞", "Dongguan"),
        ("珠海", "Zhuhai"), ("惠州", "Huizhou"), ("中山", "Zhongshan"), ("江门", "Jiangmen"),
        ("汕头", "Shantou"))),
    Province("江苏省", "Jiangsu", "east", 37, (
        ("南京", "Nanjing"), ("苏州", "Suzhou"), ("无锡", "Wuxi"), ("常州", "Changzhou"),
        ("南通", "Nantong"), ("徐州", "Xuzhou"), ("扬州", "Yangzhou"))),
    Province("浙江省", "Zhejiang", "east", 24, (
        ("杭州", "Hangzhou"), ("宁波", "Ningbo"), ("温州", "Wenzhou"), ("绍兴", "Shaoxing"),
        ("嘉兴", "Jiaxing"), ("台州", "Taizhou"), ("金华", "Jinhua"))),
    Province("上海市", "Shanghai", "east", 17, (("上海", "Shanghai"),)),
    Province("山东省", "Shandong", "east", 15, (
        ("济南", "Jinan"), ("青岛", "Qingdao"), ("烟台", "Yantai"), ("潍坊", "Weifang"),
        ("临沂", "Linyi"))),
    Province("安徽省", "Anhui", "east", 10, (
        ("合肥", "Hefei"), ("芜湖", "Wuhu"), ("蚌埠", "Bengbu"), ("安庆", "Anqing"))),
    Province("福建省", "Fujian", "south", 9, (
        ("福州", "Fuzhou"), ("厦门", "Xiamen"), ("泉州", "Quanzhou"))),
    Province("河北省", "Hebei", "north", 9, (
        ("石家庄", "Shijiazhuang"), ("唐山", "Tangshan"), ("保定", "Baoding"), ("廊坊", "Langfang"))),
    Province("湖北省", "Hubei", "central", 9, (
        ("武汉", "Wuhan"), ("宜昌", "Yichang"), ("襄阳", "Xiangyang"))),
    Province("北京市", "Beijing", "north", 7, (("北京", "Beijing"),)),
    Province("河南省", "Henan", "central", 7, (
        ("郑州", "Zhengzhou"), ("洛阳", "Luoyang"), ("新乡", "Xinxiang"))),
    Province("江西省", "Jiangxi", "central", 4, (
        ("南昌", "Nanchang"), ("赣州", "Ganzhou"), ("九江", "Jiujiang"))),
    Province("辽宁省", "Liaoning", "north", 4, (
        ("沈阳", "Shenyang"), ("大连", "Dalian"), ("鞍山", "Anshan"))),
    Province("天津市", "Tianjin", "north", 4, (("天津", "Tianjin"),)),
    Province("黑龙江省", "Heilongjiang", "north", 4, (
        ("哈尔滨", "Harbin"), ("大庆", "Daqing"), ("齐齐哈尔", "Qiqihar"))),
    Province("湖南省", "Hunan", "central", 3, (
        ("长沙", "Changsha"), ("株洲", "Zhuzhou"), ("岳阳", "Yueyang"))),
    Province("贵州省", "Guizhou", "west", 2, (("贵阳", "Guiyang"), ("遵义", "Zunyi"))),
    Province("四川省", "Sichuan", "west", 2, (("成都", "Chengdu"), ("绵阳", "Mianyang"))),
    Province("重庆市", "Chongqing", "west", 2, (("重庆", "Chongqing"),)),
    Province("广西壮族自治区", "Guangxi", "south", 1, (
        ("南宁", "Nanning"), ("柳州", "Liuzhou"), ("桂林", "Guilin"))),
    Province("吉林省", "Jilin", "north", 1, (("长春", "Changchun"), ("吉林", "Jilin"))),
    Province("内蒙古自治区", "Inner Mongolia", "north", 1, (("呼和浩特", "Hohhot"), ("包头", "Baotou"))),
    Province("山西省", "Shanxi", "north", 1, (("太原", "Taiyuan"), ("大同", "Datong"))),
)


def city_table(locale: str) -> tuple[list[str], list[str], list[str], list[float]]:
    """Flatten the provinces into one row per city.

    Returns
    -------
    province, city, region, weight
        Parallel lists; ``weight`` is the probability of the city (province weight
        shared among its cities with weights falling as 1/rank).
    """
    zh = locale == "zh_CN"
    total = sum(p.weight for p in PROVINCES)
    prov, city, region, weight = [], [], [], []
    for p in PROVINCES:
        ranks = [1.0 / (i + 1) for i in range(len(p.cities))]
        norm = sum(ranks)
        for (c_zh, c_en), r in zip(p.cities, ranks):
            prov.append(p.zh if zh else p.en)
            city.append((c_zh + "市") if zh else c_en)
            region.append(p.region)
            weight.append(p.weight / total * r / norm)
    return prov, city, region, weight
