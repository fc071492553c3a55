"""The demo projects and information systems of Jilin City, as data.

Used by demo.seed() and, without a database, by similarity.evaluate_on_labelled_set(): entries
that share a ``dup`` group are planted near-duplicates (the same thing built twice under other
words); everything else is a distinct project, some deliberately close in vocabulary.
"""

from __future__ import annotations

from typing import Any

# owner: a username from core's demo (its organisation becomes the construction unit).
# state: the state the demo walks the project to.
PROJECTS: list[dict[str, Any]] = [
    {
        "key": "city-onehall-upgrade",
        "owner": "dept",
        "category": "application",
        "funding": "fiscal",
        "budget": "3800000.00",
        "state": "delivered",
        "dup": "onehall",
        "title": "吉林市政务服务“一网通办”平台升级改造",
        "content": "对市级政务服务平台进行升级改造，统一身份认证、统一电子证照、统一受理，实现事项网上申报、"
        "进度查询和结果送达，对接省政务服务平台和各部门业务办理系统，提升群众办事便利度。",
        "systems": ["政务服务平台", "统一身份认证系统"],
        "data": ["电子证照库", "办件库"],
    },
    {
        "key": "yongji-online-hall",
        "owner": "yongji_dept",
        "category": "application",
        "funding": "fiscal",
        "budget": "1600000.00",
        "state": "proposed",
        "dup": "onehall",
        "title": "永吉县网上办事大厅建设",
        "content": "建设永吉县网上办事大厅，提供政务服务事项网上申"
        "报、办理进度查询、结果送达，建设统一身份认证和"
        "电子证照调用功能，对接省政务服务平台和县直部门业务办理系统。",
        "systems": ["网上办事大厅"],
        "data": ["电子证照库"],
    },
    {
        "key": "city-onehall-mobile",
        "owner": "dept",
        "category": "application",
        "funding": "fiscal",
        "budget": "900000.00",
        "state": "planned",
        "dup": "onehall",
        "title": "吉林市政务服务事项网上申报系统",
        "content": "建设政务服务事项网上申报与办理系统，群众可在线申报事项、查询办理进度、领取办理结果，"
        "实现统一身份认证登录和电子证照共享调用，并对接省政务服务平台。",
        "systems": ["网上申报系统"],
        "data": ["办件库"],
    },
    {
        "key": "city-health-info",
        "owner": "dept",
        "category": "application",
        "funding": "fiscal",
        "budget": "5200000.00",
        "state": "construction",
        "dup": "health",
        "title": "吉林市全民健康信息平台二期",
        "content": "完善市级全民健康信息平台，汇聚居民电子健康档案"
        "和电子病历数据，实现医疗机构间检查检验结果互认、"
        "双向转诊和远程会诊，建设健康医疗大数据分析应用。",
        "systems": ["全民健康信息平台"],
        "data": ["电子健康档案", "电子病历"],
    },
    {
        "key": "yongji-health-info",
        "owner": "yongji_dept",
        "category": "application",
        "funding": "fiscal",
        "budget": "2100000.00",
        "state": "proposed",
        "dup": "health",
        "title": "永吉县区域全民健康信息平台建设",
        "content": "建设县级区域全民健康信息平台，采集汇聚居民电子"
        "健康档案、电子病历数据，支撑县域医疗机构检查检验"
        "结果互认、双向转诊、远程会诊等业务协同。",
        "systems": ["区域健康信息平台"],
        "data": ["电子健康档案"],
    },
    {
        "key": "city-video-network",
        "owner": "police",
        "category": "security",
        "funding": "fiscal",
        "budget": "7600000.00",
        "state": "completed",
        "dup": "video",
        "overdue_acceptance": True,
        "title": "吉林市公共安全视频监控建设联网应用工程",
        "content": "推进公共安全视频监控建设联网应用，整合全市重"
        "点公共区域监控点位，建设视频图像信息共享平台，"
        "实现视频资源的分级共享和智能分析，落实网络安全等级保护要求。",
        "systems": ["视频图像信息共享平台"],
        "data": ["视频图像资源"],
    },
    {
        "key": "jiaohe-video",
        "owner": "jiaohe_authority",
        "category": "security",
        "funding": "fiscal",
        "budget": "1300000.00",
        "state": "reviewed",
        "dup": "video",
        "title": "蛟河市公共区域视频监控联网共享平台",
        "content": "整合蛟河市重点公共区域视频监控点位，建设视频图像"
        "共享平台，实现公共安全视频资源联网共享和智能分析，"
        "满足等级保护要求。",
        "systems": ["视频共享平台"],
        "data": ["视频图像资源"],
    },
    {
        "key": "city-gov-cloud",
        "owner": "dept",
        "category": "infrastructure",
        "funding": "fiscal",
        "budget": "12000000.00",
        "state": "accepted",
        "dup": "",
        "title": "吉林市政务云平台扩容",
        "content": "扩容市级政务云平台计算、存储和网络资源，新增容灾备份能力，为各部门业务系统提供云主机、"
        "数据库和对象存储服务，推动部门自建机房系统迁移上云。",
        "systems": ["政务云平台"],
        "data": [],
    },
    {
        "key": "city-egov-network",
        "owner": "dept",
        "category": "infrastructure",
        "funding": "fiscal",
        "budget": "4500000.00",
        "state": "tested",
        "dup": "",
        "title": "吉林市电子政务外网乡镇延伸工程",
        "content": "将电子政务外网延伸覆盖到各乡镇（街道）和村（社区），完善网络安全接入区建设，"
        "推动部门专网逐步接入统一电子政务网络。",
        "systems": [],
        "data": [],
    },
    {
        "key": "city-grid-mgmt",
        "owner": "dept",
        "category": "application",
        "funding": "fiscal",
        "budget": "2600000.00",
        "state": "procured",
        "dup": "citymgmt",
        "title": "吉林市数字化城市管理平台升级",
        "content": "升级数字化城市管理平台，完善城市部件事件巡查上报、派遣处置、核查结案的闭环流程，"
        "接入视频智能识别占道经营、暴露垃圾等城市管理问题。",
        "systems": ["数字化城市管理平台"],
        "data": ["城市部件库"],
    },
    {
        "key": "jiaohe-smart-citymgmt",
        "owner": "jiaohe_authority",
        "category": "application",
        "funding": "fiscal",
        "budget": "980000.00",
        "state": "draft",
        "dup": "citymgmt",
        "title": "蛟河市智慧城管平台建设",
        "content": "建设智慧城管平台，实现城市部件和事件的巡查上报、派遣处置、核查结案闭环管理，"
        "利用视频智能识别占道经营、暴露垃圾等问题。",
        "systems": ["智慧城管平台"],
        "data": ["城市部件库"],
    },
    {
        "key": "yongji-agri",
        "owner": "yongji_dept",
        "category": "application",
        "funding": "fiscal",
        "budget": "750000.00",
        "state": "rejected",
        "dup": "",
        "title": "永吉县农业农村信息服务平台",
        "content": "建设农业农村信息服务平台，发布农产品价格、农业技术和气象灾害预警信息，提供农村电商培训和"
        "农业生产托管服务对接。",
        "systems": ["农业信息服务平台"],
        "data": ["农产品价格库"],
    },
    {
        "key": "city-outsourcing-ops",
        "owner": "dept",
        "category": "outsourcing",
        "funding": "fiscal",
        "budget": "1200000.00",
        "state": "planned",
        "dup": "",
        "title": "市级政务信息系统运维服务外包",
        "content": "采购市级政务信息系统运行维护服务，包括机房巡检、系统监控、故障处置、安全加固和应急响应，"
        "服务期一年。",
        "systems": [],
        "data": [],
    },
    {
        "key": "city-data-security",
        "owner": "police",
        "category": "security",
        "funding": "fiscal",
        "budget": "1800000.00",
        "state": "planned",
        "dup": "",
        "title": "吉林市政务数据安全防护体系建设",
        "content": "建设政务数据分类分级、数据库审计、数据脱敏和数据防泄漏能力，开展政务数据安全风险评估，"
        "完善数据安全事件应急处置。",
        "systems": ["数据安全管理平台"],
        "data": [],
    },
    {
        "key": "telecom-5g-rooms",
        "owner": "yongji_dept",
        "category": "infrastructure",
        "funding": "non_fiscal",
        "budget": "6800000.00",
        "state": "filed",
        "dup": "",
        "title": "永吉县5G基站配套机房及管道建设",
        "content": "由通信运营企业投资建设5G基站配套机房和共享地下通信管道，完善县城和重点乡镇移动网络覆盖。",
        "systems": [],
        "data": [],
    },
    {
        "key": "enterprise-soc",
        "owner": "police",
        "category": "security",
        "funding": "non_fiscal",
        "budget": "2400000.00",
        "state": "filing",
        "dup": "",
        "title": "城市网络安全态势感知中心（社会投资）",
        "content": "由企业投资建设城市网络安全态势感知中心，汇聚重点"
        "单位安全日志和威胁情报，开展7×24小时安全监测、"
        "通报预警和应急处置支撑。",
        "systems": ["态势感知平台"],
        "data": ["安全日志"],
    },
    {
        "key": "jiaohe-edu",
        "owner": "jiaohe_authority",
        "category": "application",
        "funding": "fiscal",
        "budget": "1100000.00",
        "state": "proposed",
        "dup": "",
        "title": "蛟河市智慧教育资源公共服务平台",
        "content": "建设教育资源公共服务平台，汇聚优质数字教育资"
        "源，支持线上教研、空中课堂和学生综合素质评价。",
        "systems": ["教育资源平台"],
        "data": ["学籍数据"],
    },
    {
        "key": "city-elderly",
        "owner": "dept",
        "category": "application",
        "funding": "fiscal",
        "budget": "650000.00",
        "state": "draft",
        "dup": "",
        "title": "吉林市智慧养老服务平台",
        "content": "建设智慧养老服务平台，对接居家养老服务机构，提供紧急呼叫、助餐助医和上门服务预约，"
        "平台界面符合信息无障碍要求。",
        "systems": ["智慧养老服务平台"],
        "data": ["老年人信息"],
    },
    {
        "key": "city-service-rating",
        "owner": "dept",
        "category": "application",
        "funding": "fiscal",
        "budget": "480000.00",
        "state": "draft",
        "dup": "",
        "title": "吉林市政务服务“好差评”系统",
        "content": "建设政务服务好差评系统，办事群众对政务服务事项办理进行评价，差评自动转办整改并回访，"
        "评价数据对接省政务服务平台。",
        "systems": ["好差评系统"],
        "data": ["评价数据"],
    },
    {
        "key": "yongji-medical-insurance",
        "owner": "yongji_dept",
        "category": "application",
        "funding": "fiscal",
        "budget": "860000.00",
        "state": "draft",
        "dup": "",
        "title": "永吉县医疗保障经办服务系统",
        "content": "建设医疗保障经办服务系统，办理参保登记、异地就医备案和医疗费用报销，"
        "与定点医疗机构结算系统对接。",
        "systems": ["医保经办系统"],
        "data": ["参保人员信息"],
    },
    {
        "key": "city-traffic-cameras",
        "owner": "police",
        "category": "application",
        "funding": "fiscal",
        "budget": "2900000.00",
        "state": "draft",
        "dup": "",
        "title": "吉林市智能交通信号控制系统",
        "content": "建设智能交通信号控制系统，在主要路口部署信号机和车辆检测设备，根据实时车流优化配时，"
        "建设交通流量分析和拥堵预警功能。",
        "systems": ["交通信号控制系统"],
        "data": ["交通流量数据"],
    },
]

# Information systems already in service (the security register's seed).
SYSTEMS: list[dict[str, Any]] = [
    {
        "key": "sys-health",
        "owner": "dept",
        "level": 3,
        "dup": "health",
        "name": "吉林市全民健康信息平台",
        "description": "市级全民健康信息平台，汇聚居民电子健康档案"
        "和电子病历，支撑检查检验结果互认和远程会诊。",
    },
    {
        "key": "sys-citymgmt",
        "owner": "dept",
        "level": 2,
        "dup": "citymgmt",
        "name": "吉林市数字化城市管理系统",
        "description": "城市部件事件巡查上报、派遣处置、核查结案的数字化城市管理系统。",
    },
    {
        "key": "sys-oa",
        "owner": "dept",
        "level": 2,
        "dup": "",
        "name": "吉林市协同办公系统",
        "description": "市直部门公文流转、会议管理和督查督办的协同办公系统。",
    },
    {
        "key": "sys-police-video",
        "owner": "police",
        "level": 3,
        "dup": "video",
        "name": "吉林市视频图像信息共享平台（一期）",
        "description": "整合公共安全视频监控点位，实现视频图像资源联网共享和分级调阅。",
    },
]


def labelled_items() -> list[tuple[str, str, str]]:
    """(key, text, duplicate group) for every demo project and system: the labelled set."""
    items = [
        (
            p["key"],
            "\n".join([p["title"], p["content"], " ".join(p["systems"]), " ".join(p["data"])]),
            p["dup"],
        )
        for p in PROJECTS
    ]
    items += [(s["key"], "\n".join([s["name"], s["description"]]), s["dup"]) for s in SYSTEMS]
    return items
