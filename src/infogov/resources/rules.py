"""The rules of 《吉林市信息化促进办法》 on government information resources, in article order:
第二十一条 (the exchange), 第二十六条 (the base databases), 第二十七条 (collecting units: catalogue,
sharing, correction), 第二十八条 (public-service units) and 第二十九条 (state secrets, trade secrets,
privacy). Each rule reads the case (a Resource or a SharingRequest) and the step's typed input; it never
writes. ``require`` refuses what is not a workflow step (cataloguing a resource, pulling records)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from infogov.core.errors import NotPermitted, RuleViolation
from infogov.core.workflow.permissions import scope_of
from infogov.core.workflow.rules import InputNotGiven, Rule, RuleContext, evaluate_all, not_audit_admin, rule
from infogov.org.choices import OrganisationKind

from .choices import (
    MASKED,
    STALE_AFTER_DAYS,
    BaseCategory,
    FieldType,
    RequestState,
    ResourceState,
    Sensitivity,
    ShareType,
)
from .policy import MAX_GRANT_DAYS

STAFF_ROLES = ("dept_staff", "authority_staff", "authority_leader")


def given(ctx: RuleContext) -> Any:
    """The step's typed input; a rule that reads it passes until the input is given (explain())."""
    if ctx.input is None:
        raise InputNotGiven("input")
    return ctx.input


def proposed(case: Any, ctx: RuleContext, name: str) -> Any:
    """A resource attribute as it will be after the step: the input's value when it gives one."""
    value = getattr(ctx.input, name, None) if ctx.input is not None else None
    return getattr(case, name) if value is None else value


def require(subject: Any, ctx: RuleContext, *rules_: Rule) -> None:
    """Refuse with the failing rules (an actor rule first: a 403; otherwise a 422 naming every failing
    rule's article) — for what is not a step of a workflow."""
    failures = evaluate_all([not_audit_admin, *rules_], subject, ctx)
    if not failures:
        return
    actor = [f for f in failures if f.actor]
    if actor:
        first = actor[0]
        raise NotPermitted(
            first.message, code=first.code, article=first.citation, details=[f.as_dict() for f in actor]
        )
    raise RuleViolation(failures)


def _staff_of(ctx: RuleContext, org_id: int | None) -> bool:
    return org_id is not None and org_id in scope_of(ctx.user).org_ids_with_role(*STAFF_ROLES)


def _field_rows(case: Any) -> list[Any]:
    return list(case.fields.all()) if case.pk else []


# -- 第二十一条: the exchange ---------------------------------------------------------------------------


@rule(
    "A21-1-GRANT",
    citation="第二十一条第一款",
    message="没有有效的共享授权：授权不存在、已暂停、已撤销或已过期，不能通过交换体系获取该资源；请向提供单位申请共享",
    actor=True,
)
def holds_active_grant(grant: Any, ctx: RuleContext) -> bool | str:
    """建立健全规范的政务信息资源交换体系：数据只按有效授权交换（使用方本单位的授权）。"""
    if grant is None:
        return False
    if grant.state == RequestState.SUSPENDED:
        return "该共享授权已被提供单位暂停，暂停期间不能获取数据"
    if grant.state == RequestState.REVOKED:
        return "该共享授权已被提供单位撤销，不能获取数据"
    if grant.state != RequestState.GRANTED:
        return False
    if ctx.today > grant.period_end:
        return f"该共享授权已于 {grant.period_end.isoformat()} 到期，请重新申请"
    if ctx.today < grant.period_start:
        return f"该共享授权自 {grant.period_start.isoformat()} 起生效"
    return True


@rule(
    "A21-1-GRANTED-FIELDS",
    citation="第二十一条第一款",
    message="只能按授权的信息项筛选数据；请只使用授权范围内的信息项",
)
def filters_on_granted_fields(grant: Any, ctx: RuleContext) -> bool | str:
    """交换体系只交换授权的信息项：筛选条件也不能触及未授权的信息项。"""
    outside = sorted(set(ctx.payload.get("filters", ())) - set(grant.fields_granted))
    return not outside or f"信息项 {'、'.join(outside)} 不在授权范围内，不能用于筛选"


# -- 第二十六条: the base databases ------------------------------------------------------------------


@rule(
    "A26-1-BASE-KEY",
    citation="第二十六条",
    message="人口库的记录标识须为公民身份号码，法人库的记录标识须为统一社会信用代码；请设置记录标识字段",
)
def base_database_keyed(case: Any, ctx: RuleContext) -> bool | str:
    """建立和完善人口、法人、自然资源和空间地理等数据库：人口、法人库以国家标准的唯一代码为记录标识，
    各部门的数据才能关联共享。"""
    expected = {
        BaseCategory.POPULATION: FieldType.RESIDENT_ID,
        BaseCategory.LEGAL_PERSON: FieldType.CREDIT_CODE,
    }.get(case.base_category)
    if expected is None:
        return True
    key = next((f for f in _field_rows(case) if f.code == case.record_key), None)
    if key is None or key.field_type != expected:
        label = FieldType(expected).label
        return f"{BaseCategory(case.base_category).label}库的记录标识字段须为“{label}”类型"
    return True


# -- 第二十七条: collecting units --------------------------------------------------------------------


@rule(
    "A27-1-PROVIDER",
    citation="第二十七条第一款",
    message="只有本单位（该资源的采集单位或提供单位）的工作人员才能编目、维护和更新该资源",
    actor=True,
)
def acts_for_provider(case: Any, ctx: RuleContext) -> bool:
    """政务信息资源采集单位应当做好其履行职责中形成或者获取的政务信息资源采集、维护和更新工作（本单位）。"""
    return _staff_of(ctx, case.owner_id)


@rule(
    "A27-1-FIELDS",
    citation="第二十七条第一款",
    message="资源至少须有一个信息项，并指定记录标识字段后才能提交审核",
)
def has_fields_and_key(case: Any, ctx: RuleContext) -> bool | str:
    """确保政务信息的完整：目录须写明信息项和记录标识。"""
    codes = {f.code for f in _field_rows(case)}
    if not codes:
        return "资源还没有信息项，请先添加信息项"
    if case.record_key not in codes:
        return "请把一个已添加的信息项设为记录标识字段（修改资源时填写“记录标识字段”）"
    return True


@rule(
    "A27-1-STALE",
    citation="第二十七条第一款",
    message="该资源的数据在更新周期内已经更新，不需要督促更新",
)
def resource_is_stale(case: Any, ctx: RuleContext) -> bool:
    """确保政务信息的及时：超过声明的更新周期未更新的资源，由主管部门督促采集单位更新。"""
    from django.utils import timezone

    if case.last_loaded_at is None:
        return True
    age = ctx.today - timezone.localtime(case.last_loaded_at).date()
    return age > dt.timedelta(days=STALE_AFTER_DAYS[case.update_frequency])


@rule(
    "A27-1-CORRECTION-USER",
    citation="第二十七条第一款",
    message="只有持有该资源共享授权的使用单位（本单位）才能报告数据错误",
    actor=True,
)
def reports_as_grantee(case: Any, ctx: RuleContext) -> bool:
    """确保政务信息的真实、准确：使用单位发现错误的，向采集单位提出校核纠错。"""
    orgs = scope_of(ctx.user).org_ids_with_role(*STAFF_ROLES)
    return (
        bool(orgs)
        and case.requests.filter(
            owner_id__in=orgs, state__in=(RequestState.GRANTED, RequestState.SUSPENDED)
        ).exists()
    )


@rule(
    "A27-1-CORRECTION-FIELD",
    citation="第二十七条第一款",
    message="报告的信息项不是该资源的信息项",
)
def correction_names_a_field(case: Any, ctx: RuleContext) -> bool | str:
    """纠错须指明哪一条记录的哪一个信息项有误。"""
    code = given(ctx).field_code
    return code in case.field_codes() or f"信息项 {code} 不是该资源的信息项"


@rule(
    "A27-1-CORRECTION-OPEN",
    citation="第二十七条第一款",
    message="该纠错报告不存在或已经答复",
)
def correction_is_open(case: Any, ctx: RuleContext) -> bool:
    """每一份纠错报告答复一次；答复后结果告知报告单位。"""
    return case.corrections.filter(pk=given(ctx).report_id, outcome="").exists()


@rule(
    "A27-2-SHARE-BASIS",
    citation="第二十七条第二款",
    message="有条件共享和不予共享的资源须写明共享条件或不予共享的法律、行政法规或政策依据",
)
def share_type_has_basis(case: Any, ctx: RuleContext) -> bool:
    """保障政务信息资源依法共享：有条件共享、不予共享须有依据（国发〔2016〕51号第五条）。"""
    share_type = proposed(case, ctx, "share_type")
    return share_type == ShareType.UNCONDITIONAL or bool(str(proposed(case, ctx, "share_basis")).strip())


@rule(
    "A27-2-PUBLISHED",
    citation="第二十七条第二款",
    message="只能申请共享已发布的资源",
)
def resource_published(case: Any, ctx: RuleContext) -> bool:
    """依法共享的是编入目录并发布的政务信息资源。"""
    return case.resource.state == ResourceState.PUBLISHED


@rule(
    "A27-2-NOT-SHARED",
    citation="第二十七条第二款",
    message="该资源为不予共享资源，不能申请共享（见其不予共享的依据）",
)
def resource_shareable(case: Any, ctx: RuleContext) -> bool:
    """不予共享类的政务信息资源不能共享（国发〔2016〕51号第五条）。"""
    return case.resource.share_type != ShareType.NOT_SHARED


@rule(
    "A27-2-UNCONDITIONAL",
    citation="第二十七条第二款",
    message="该资源为有条件共享，须提交提供单位审核，不能直接获得授权",
)
def resource_unconditional(case: Any, ctx: RuleContext) -> bool:
    """无条件共享类资源，使用单位申请即获授权。"""
    return case.resource.share_type == ShareType.UNCONDITIONAL


@rule(
    "A27-2-CONDITIONAL",
    citation="第二十七条第二款",
    message="该资源为无条件共享，直接申请即获授权，无须提供单位审核",
)
def resource_conditional(case: Any, ctx: RuleContext) -> bool:
    """有条件共享类资源，由提供单位在规定期限内答复。"""
    return case.resource.share_type == ShareType.CONDITIONAL


@rule(
    "A27-2-MINIMUM",
    citation="第二十七条第二款",
    message="申请的信息项须为该资源的信息项，且按最小必要原则逐项列明（不得为空、不得重复）",
)
def fields_minimum_necessary(case: Any, ctx: RuleContext) -> bool | str:
    """依法共享：使用单位只申请履行职责所必需的信息项。"""
    asked = list(case.fields_requested or [])
    if not asked:
        return "请至少列明一个所需的信息项"
    if len(set(asked)) != len(asked):
        return "申请的信息项有重复"
    unknown = sorted(set(asked) - set(case.resource.field_codes()))
    return not unknown or f"信息项 {'、'.join(unknown)} 不是该资源的信息项"


@rule(
    "A27-2-PERIOD",
    citation="第二十七条第二款",
    message="使用期限有误：截止日期不能早于起始日期或今天，且不能超过平台规定的最长期限",
)
def period_sensible(case: Any, ctx: RuleContext) -> bool | str:
    """授权写明使用期限，期满须重新申请。"""
    if case.period_end < case.period_start or case.period_end < ctx.today:
        return "使用期限的截止日期不能早于起始日期或今天"
    longest = MAX_GRANT_DAYS.on(ctx.today)
    if (case.period_end - case.period_start).days > longest:
        return f"使用期限不能超过 {longest} 天（{MAX_GRANT_DAYS.note}）"
    return True


@rule(
    "A27-2-CONSUMER",
    citation="第二十七条第二款",
    message="只有申请单位（本单位）的工作人员才能办理该共享申请",
    actor=True,
)
def acts_for_consumer(case: Any, ctx: RuleContext) -> bool:
    """共享申请由使用单位本单位提出并使用。"""
    return _staff_of(ctx, case.owner_id)


@rule(
    "A27-2-PROVIDER",
    citation="第二十七条第二款",
    message="只有该资源的提供单位（本单位）才能答复、暂停或撤销共享授权",
    actor=True,
)
def acts_for_resource_provider(case: Any, ctx: RuleContext) -> bool:
    """采集单位保障政务信息资源依法共享：是否授权由提供单位本单位决定。"""
    return _staff_of(ctx, case.resource.owner_id)


@rule(
    "A27-2-GRANT-FIELDS",
    citation="第二十七条第二款",
    message="授权的信息项只能是申请的信息项，且至少一项",
)
def grant_within_request(case: Any, ctx: RuleContext) -> bool | str:
    """授权不超出申请：最小必要。"""
    fields = list(given(ctx).fields or case.fields_requested)
    outside = sorted(set(fields) - set(case.fields_requested))
    if outside:
        return f"信息项 {'、'.join(outside)} 不在申请范围内"
    return bool(fields)


# -- 第二十八条: public-service units ----------------------------------------------------------------


@rule(
    "A28-1-PROVIDER-KIND",
    citation="第二十八条",
    message="政务信息资源目录只收录政务部门（第二十七条）和提供公共服务的单位（第二十八条）的信息资源，企业等其他单位不能编目",
)
def provider_may_catalogue(case: Any, ctx: RuleContext) -> bool:
    """提供公共服务的单位应当做好其提供服务中形成或者掌握的公用信息资源的采集、维护和更新工作。"""
    return case.owner.kind in {
        OrganisationKind.DEPARTMENT,
        OrganisationKind.AUTHORITY,
        OrganisationKind.GOVERNMENT,
        OrganisationKind.PUBLIC_SERVICE,
    }


# -- 第二十九条: state secrets, trade secrets, privacy ------------------------------------------------


@rule(
    "A29-1-STATE-SECRET",
    citation="第二十九条第一款",
    message="涉及国家秘密的资源和信息项不得编入政务信息资源目录，不进入交换体系",
)
def no_state_secret(case: Any, ctx: RuleContext) -> bool | str:
    """信息资源开发利用应当依法保护国家秘密。"""
    if proposed(case, ctx, "sensitivity") == Sensitivity.STATE_SECRET:
        return "该资源标为国家秘密，不得编入目录"
    if getattr(ctx.input, "field_sensitivity", None) == Sensitivity.STATE_SECRET:
        return "该信息项标为国家秘密，不得编入目录"
    secret = [f.name for f in _field_rows(case) if f.sensitivity == Sensitivity.STATE_SECRET]
    return not secret or f"信息项 {'、'.join(secret)} 标为国家秘密，不得编入目录"


@rule(
    "A29-1-PERSONAL-CONDITIONAL",
    citation="第二十九条第一款",
    message="含有个人信息或商业秘密的资源不能设为无条件共享，请设为有条件共享并写明条件",
)
def personal_not_unconditional(case: Any, ctx: RuleContext) -> bool:
    """依法保护商业秘密和个人隐私：此类数据只按审核后的授权共享。"""
    if proposed(case, ctx, "share_type") != ShareType.UNCONDITIONAL:
        return True
    if getattr(ctx.input, "field_sensitivity", None) in MASKED:
        return False
    return not any(f.sensitivity in MASKED for f in _field_rows(case))


@rule(
    "A29-1-CLEAR-TEXT",
    citation="第二十九条第一款",
    message="明文提供个人信息须使用单位申请明文并写明法律依据；否则个人信息一律脱敏提供",
)
def clear_text_justified(case: Any, ctx: RuleContext) -> bool:
    """依法保护个人隐私：默认脱敏，明文须有申请和依据。"""
    if not given(ctx).clear_text:
        return True
    return case.clear_text_requested and bool(case.legal_basis.strip())
