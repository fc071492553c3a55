"""Synthetic, valid-format but fictitious records of the base databases (第二十六条): resident ID numbers
with correct check digits and Jilin City's district codes, names, phones, addresses in real districts,
legal persons with valid unified social credit codes. Deterministic (seeded): the same N gives the same
records. Shared by the demo and `manage.py resources_generate`."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from infogov.core.text.identifiers import (
    credit_code_check_char,
    organisation_code_check_char,
    resident_id_check_char,
)

# 吉林市: 昌邑区, 龙潭区, 船营区, 丰满区, 永吉县, 蛟河市, 桦甸市, 舒兰市, 磐石市
DISTRICTS = {
    "220202": "昌邑区",
    "220203": "龙潭区",
    "220204": "船营区",
    "220211": "丰满区",
    "220221": "永吉县",
    "220281": "蛟河市",
    "220282": "桦甸市",
    "220283": "舒兰市",
    "220284": "磐石市",
}
STREETS = [
    "解放大路",
    "重庆街",
    "北京路",
    "松江东路",
    "吉林大街",
    "遵义东路",
    "长春路",
    "越山路",
    "湘潭街",
    "深圳街",
]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤"
    "洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎"
    "锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿"
    "聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思"
    "丽"
)
KINDS = ["医院", "卫生院", "诊所", "社区卫生服务中心", "门诊部"]


def resident_id(rng: random.Random, region: str, born: dt.date) -> str:
    first = f"{region}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first + resident_id_check_char(first)


def credit_code(rng: random.Random, region: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    org8 = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    body = f"12{region}{org8}{organisation_code_check_char(org8)}"
    assert all(c in alphabet for c in body)
    return body + credit_code_check_char(body)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def people(n: int, *, seed: int = 2026) -> Iterator[dict[str, Any]]:
    """n people with unique resident ID numbers."""
    rng = random.Random(seed)
    seen: set[str] = set()
    regions = list(DISTRICTS)
    start = dt.date(1940, 1, 1).toordinal()
    span = dt.date(2020, 12, 31).toordinal() - start
    while len(seen) < n:
        region = rng.choice(regions)
        born = dt.date.fromordinal(start + rng.randrange(span))
        rid = resident_id(rng, region, born)
        if rid in seen:
            continue
        seen.add(rid)
        yield {
            "id_number": rid,
            "name": person_name(rng),
            "gender": "男" if int(rid[16]) % 2 else "女",
            "born_on": born.isoformat(),
            "district": region,
            "address": f"吉林省吉林市{DISTRICTS[region]}{rng.choice(STREETS)}{rng.randint(1, 999)}号",
            "phone": f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
        }


def legal_persons(n: int, *, seed: int = 2027) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    seen: set[str] = set()
    regions = list(DISTRICTS)
    while len(seen) < n:
        region = rng.choice(regions)
        code = credit_code(rng, region)
        if code in seen:
            continue
        seen.add(code)
        kind = rng.choice(KINDS)
        yield {
            "uscc": code,
            "name": f"吉林市{DISTRICTS[region]}{rng.choice(STREETS)}{kind}",
            "kind": kind,
            "representative": person_name(rng),
            "district": region,
            "registered_on": dt.date.fromordinal(
                dt.date(1990, 1, 1).toordinal() + rng.randrange(12000)
            ).isoformat(),
        }
