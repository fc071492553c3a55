"""Build src/infogov/core/data/regulation.json from the regulation's text (regulation.zh.txt beside it).

    python scripts/build_regulation_json.py [--check]

The source text is a transcription with page breaks: a sentence can be split across a blank line
("组织编制" / "全市信息化发展规划"). Every paragraph of the regulation ends with "。", so a chunk that
does not end with "。" continues into the next one. Markdown emphasis ("**第六条**") is stripped.
`--check` rebuilds in memory and exits 1 when the committed JSON differs.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "src" / "infogov" / "core" / "data"
SOURCE = DATA_DIR / "regulation.zh.txt"
TARGET = DATA_DIR / "regulation.json"

TITLE = "吉林市信息化促进办法"
ORDER = "吉林市人民政府令第234号"
PROMULGATED = "2014-11-25"
IN_FORCE = "2015-01-01"

# The articles REGULATION_MAP.md turns into a duty, gate, deadline, prohibition or register.
DUTY_ARTICLES = frozenset({3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 21, 26, 27, 28, 29, 30, 31, 32})

# number → (short summary, what the platform does)
NOTES: dict[int, tuple[str, str]] = {
    1: ("立法目的和依据", "界定平台各登记簿的目的"),
    2: ("适用范围：规划、工程、产业、应用、资源、安全", "界定平台各登记簿的范围"),
    3: (
        "各级政府和开发区管委会安排信息化发展专项资金，纳入财政预算",
        "项目登记资金来源；专项资金计划、预算和拨付记录",
    ),
    4: (
        "市和县（市）、区、开发区信息化主管部门分级负责；发改、财政、规划等部门协同",
        "行政区域树（市—区—县—县级市—开发区）；按单位授予角色；协同部门只读其协同监督的事项",
    ),
    5: (
        "三级规划：市级规划报市政府批准公布；县区规划经本级政府批准并报市主管部门备案；部门专项规划报本级主管部门备案",
        "规划登记簿（上级规划、批准机关、公布、向对应主管部门备案）",
    ),
    6: (
        "编制规划须征求意见、专家论证；经批准的规划不得擅自变更，变更须按原程序重新批准、备案",
        "公开征求意见窗口；专家论证记录；已批准版本不可修改，变更即新版本，重走全部程序",
    ),
    7: (
        "市主管部门监督检查下级规划和专项规划的年度执行情况，结果纳入年度绩效考核",
        "年度执行报告、监督检查和评分，按区域和部门导出考核结果",
    ),
    8: (
        "通信管线和基站纳入控制性详细规划；城镇新设管线建共享地下管道，架空线路逐步入地",
        "通信基础设施登记簿（管道、基站、架空线路）及入地迁移跟踪",
    ),
    9: (
        "财政性资金项目列入年度建设计划报政府批准；主管部门从规划布局、技术标准、网络与信息安全、资源共享等方面评审",
        "按区域和年度的建设计划；四个必审维度的结构化评审和审查意见；未通过评审的项目不能办理后续手续",
    ),
    10: (
        "非财政性资金的公共基础性和信息安全工程，办理建设手续后向市或县（市）主管部门备案",
        "非财政性资金项目备案流程",
    ),
    11: (
        "财政性资金项目和信息服务外包纳入政府集中采购；主管部门审核财政性外包项目",
        "签订合同前须有采购记录；外包项目审核",
    ),
    12: (
        "执行国家、地方和行业强制性标准；鼓励采用先进标准",
        "标准目录；项目声明所执行的标准，强制性标准不得豁免",
    ),
    13: (
        "竣工后按标准测试、按规定验收；未经验收或验收不合格的不得交付使用；财政性项目验收结果报主管部门备案",
        "测试和验收记录；验收通过前不能交付；验收结果备案",
    ),
    14: (
        "主管部门会同发改、财政、审计对财政性资金项目完成情况和资金使用情况监督检查",
        "预算、拨付、监督检查及其发现问题",
    ),
    15: ("明确信息产业发展重点，扶持产业项目，促进集聚和升级", "产业扶持项目及受益单位登记"),
    16: ("鼓励社会资本参与信息基础设施建设，扶持先进信息技术和产品", "扶持项目登记和指标"),
    17: ("加强信息产业和新一代信息技术发展环境建设，提供人才、载体、检测等服务", "扶持措施登记和指标"),
    18: (
        "推进新一代互联网技术普及和与云计算、物联网、大数据等融合应用",
        "信息系统登记簿中的相关指标（如IPv6）",
    ),
    19: ("推进云计算、物联网、大数据在政府部门安全可控应用", "信息系统登记簿中的部署方式（云、托管）指标"),
    20: ("支持智慧城市建设，推进三网融合，保证同城信息交换和资源共享", "智慧城市相关指标"),
    21: (
        "建设统一的电子政务网络和政务信息资源交换体系；除国家规定专用网络外不得新建政务专用网络，已建的逐步接入",
        "网络登记簿；新建专用网络须引用国家规定的例外，否则拒绝；接入迁移跟踪",
    ),
    22: ("推进便民信息化，构建统一的社区服务和管理综合信息平台", "项目登记簿中的社区信息化项目"),
    23: ("加强农业和农村信息化，推广信息技术在农业农村的应用", "项目登记簿中的农村信息化项目"),
    24: ("加强信息无障碍建设，促进残疾人、老年人平等参与信息社会", "平台自身符合无障碍标准；相关项目登记"),
    25: ("加快信息化和工业化融合", "两化融合扶持项目及指标"),
    26: (
        "建立信息资源开发利用保障机制，建设人口、法人、自然资源和空间地理等基础数据库，促进共享",
        "信息资源目录，含人口、法人、自然资源、空间地理四类基础库",
    ),
    27: (
        "政务信息资源采集单位确保信息真实、准确、及时、完整，并保障依法共享",
        "数据质量检查（完整性、按更新频率的及时性）；共享申请和授权",
    ),
    28: ("提供公共服务的单位做好公用信息资源的采集、维护和更新", "公共服务单位同样登记信息资源目录"),
    29: (
        "依法保护国家秘密、知识产权、商业秘密和个人隐私；发布的信息应当合法、真实",
        "按字段标注敏感级别；脱敏；仅凭批准的授权访问；每次访问留痕",
    ),
    30: (
        "所属或运维单位建立信息安全责任制、等级保护、定期风险评估和应急预案；发生事故及时处置、保存记录、报告",
        "信息系统登记簿（保护等级、责任人）、风险评估及期限、应急预案、安全事件处置时间线和报告",
    ),
    31: (
        "信息安全保障系统与工程项目同步规划、同步建设、同步运行；通信基础设施安全方案报市主管部门备案",
        "评审时查安全方案、验收时查安全建设、交付时查安全运行；安全方案备案",
    ),
    32: ("市主管部门定期组织对通信基础信息网络和重点信息系统进行安全检查", "检查计划、发现的隐患、限期整改"),
    33: ("违反本办法的，依法给予处罚；构成犯罪的追究刑事责任", "完整可追溯的案卷记录，供依法追责"),
    34: (
        "工作人员滥用职权、玩忽职守、徇私舞弊的，依法给予行政处分",
        "防篡改的案卷记录：谁、何时、依据哪一条、做了什么",
    ),
    35: ("本办法自2015年1月1日起施行", "规则带有生效日期"),
}

_HEADING = re.compile(r"^第([零一二三四五六七八九十]+)条\s*")
_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int:
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0)
    return _DIGITS[text]


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs, with page breaks inside sentences mended."""
    chunks = [c.strip().replace("**", "") for c in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    out: list[str] = []
    pending = ""
    for chunk in chunks:
        if not chunk:
            continue
        chunk = " ".join(line.strip() for line in chunk.splitlines())
        if chunk.startswith("#") or (chunk.startswith("(") and chunk.endswith(")")):
            continue  # the title and the promulgation line
        pending += chunk
        if pending.endswith("。"):
            out.append(pending)
            pending = ""
    if pending:
        raise ValueError(f"text ends inside a sentence: {pending[:40]!r}")
    return out


def build(text: str) -> dict:
    articles: list[dict] = []
    for para in paragraphs(text):
        m = _HEADING.match(para)
        if m:
            number = chinese_number(m.group(1))
            if number != len(articles) + 1:
                raise ValueError(f"article {number} out of order")
            summary, platform = NOTES[number]
            articles.append(
                {
                    "number": number,
                    "paragraphs": [para[m.end() :].strip()],
                    "duty": number in DUTY_ARTICLES,
                    "summary": summary,
                    "platform": platform,
                }
            )
        elif articles:
            articles[-1]["paragraphs"].append(para)
        else:
            raise ValueError(f"text before the first article: {para[:40]!r}")
    if len(articles) != 35:
        raise ValueError(f"expected 35 articles, found {len(articles)}")
    return {
        "title": TITLE,
        "order": ORDER,
        "promulgated": PROMULGATED,
        "in_force": IN_FORCE,
        "articles": articles,
    }


def render(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str]) -> int:
    output = render(build(SOURCE.read_text(encoding="utf-8")))
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != output:
            sys.stderr.write(f"{TARGET} is out of date; run scripts/build_regulation_json.py\n")
            return 1
        return 0
    TARGET.write_text(output, encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
