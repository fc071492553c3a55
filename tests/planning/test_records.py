"""Core v2 in planning (issue 9): every act on a plan version that keeps its state is a Record step of
the same engine — typed input (payloads.py), refusals only from registered rules (rules.py) with
their article, one docket event with the before and after of every write, and explain() lists them
with their blockers."""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infogov.core.errors import InvalidInput, NotPermitted, RuleViolation
from infogov.core.models import DocketEvent
from infogov.core.workflow import engine as wf
from infogov.core.workflow.rules import REGISTRY
from infogov.org.choices import Role
from infogov.org.models import Membership
from infogov.planning import rules as r
from infogov.planning import services
from infogov.planning.choices import PlanLevel, PlanState
from infogov.planning.models import Inspection, PlanVersion, PublicComment
from infogov.planning.workflows import WORKFLOW

pytestmark = [pytest.mark.django_db, pytest.mark.article(5, 6, 7)]

APP = Path(services.__file__).resolve().parent
TASK = {
    "text": "建设城市数据大脑",
    "responsible_id": None,
    "indicator": "上线",
    "target_value": "1",
    "unit": "个",
    "target_year": 2029,
}


# -- bringing a version to a stage ---------------------------------------------------------------------


def _owner(pw, v):
    return pw.owner_user(v)


def _consulting(pw):
    return pw.open_consultation(pw.draft(PlanLevel.CITY))


def _reviewing(pw):
    return pw.close_consultation(_consulting(pw))


def _local_in_force(pw):
    pw.city_plan_in_force()
    return pw.to_in_force(pw.draft(PlanLevel.LOCAL, pw.world.yongji))


Scenario = Callable[[Any], tuple[PlanVersion, Any, dict[str, Any]]]


def _frozen(step: str, payload: Callable[[PlanVersion], dict[str, Any]]) -> Scenario:
    def build(pw):
        v = pw.city_plan_in_force()
        return v, _owner(pw, v), {"payload": payload(v)}

    return build


def _consultation_stage(step: str, payload: Callable[[PlanVersion], dict[str, Any]]) -> Scenario:
    def build(pw):
        v = _consulting(pw)
        return v, _owner(pw, v), {"payload": payload(v)}

    return build


def _rate_limited(pw):
    v = _consulting(pw)
    for i in range(r.COMMENT_RATE_LIMIT):
        services.comment_submit(version=v, body=f"第{i}条意见，内容充分。", client="same")
    return v, None, {"payload": {"body": "再一条意见内容。", "client": "same"}}


def _signed_in_commenter(pw):
    v = _consulting(pw)
    return v, _owner(pw, v), {"payload": {"body": "以工作人员账号提交的意见。", "client": "forged"}}


def _window_closed(pw):
    v = _consulting(pw)
    return (
        v,
        None,
        {"payload": {"body": "窗口外的意见内容"}, "today": v.consultation_end + dt.timedelta(days=1)},
    )


def _answer_without_reason(pw):
    v = _consulting(pw)
    c = services.comment_submit(version=v, body="建议加快政务云建设进度。")
    payload = {"comments": [c.pk], "status": "not_accepted", "text": "不采纳"}
    return v, _owner(pw, v), {"payload": payload}


def _nothing_to_publish(pw):
    v = _consulting(pw)
    services.comment_submit(version=v, body="建议加快政务云建设进度。")
    return v, _owner(pw, v), {}


def _summary_in_draft(pw):
    v = pw.draft(PlanLevel.CITY)
    return v, _owner(pw, v), {"payload": {"summary": "未收到意见。"}}


def _insider_expert(pw):
    v = _reviewing(pw)
    insider = pw.experts[3]
    Membership.objects.create(user=insider, organisation=pw.world.city.authority, role=Role.AUTHORITY_STAFF)
    return v, _owner(pw, v), {"payload": {"experts": [insider.pk]}}


def _past_expert_due(pw):
    v = _reviewing(pw)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    return v, _owner(pw, v), {"payload": {"experts": [pw.experts[0].pk], "due_date": yesterday}}


def _other_organiser(pw):
    v = _reviewing(pw)
    return v, pw.world.yongji.authority_user, {"payload": {"experts": [pw.experts[0].pk]}}


def _second_opinion(pw):
    v = _reviewing(pw)
    services.experts_assign(version=v, user=_owner(pw, v), experts=[pw.experts[0]])
    services.expert_opinion_submit(version=v, user=pw.experts[0], conclusion="pass", opinion="同意该规划。")
    return v, pw.experts[0], {"payload": {"conclusion": "fail", "opinion": "再次提交意见"}}


def _second_change(pw):
    v = pw.city_plan_in_force()
    services.plan_change_request(version=v, user=_owner(pw, v), reason="国家出台新的数字政府建设要求")
    return v, _owner(pw, v), {"payload": {"reason": "再次变更"}}


def _change_without_reason(pw):
    v = pw.city_plan_in_force()
    return v, _owner(pw, v), {"payload": {"reason": "  "}}


def _city_report(pw):
    v = pw.city_plan_in_force()
    return v, _owner(pw, v), {"payload": {"year": 2026}}


def _report_out_of_period(pw):
    v = _local_in_force(pw)
    return v, pw.world.yongji.authority_user, {"payload": {"year": 2040}}


def _second_report(pw):
    v = _local_in_force(pw)
    services.execution_report_submit(version=v, user=pw.world.yongji.authority_user, year=2026, progress=[])
    return v, pw.world.yongji.authority_user, {"payload": {"year": 2026}}


def _county_samples(pw):
    v = _local_in_force(pw)
    return v, pw.world.yongji.authority_user, {"payload": {"year": 2026}}


def _sample_city_plan(pw):
    v = pw.city_plan_in_force()
    return v, pw.world.city.authority_user, {"payload": {"year": 2026}}


def _second_sample(pw):
    v = _local_in_force(pw)
    services.inspections_sample(user=pw.world.city.authority_user, year=2026)
    return v, pw.world.city.authority_user, {"payload": {"year": 2026}}


def _county_inspects(pw):
    v = _local_in_force(pw)
    (inspection,) = services.inspections_sample(user=pw.world.city.authority_user, year=2026)
    return v, pw.world.yongji.authority_user, {"payload": {"inspection": inspection.pk}}


def _bad_period(pw):
    v = pw.draft(PlanLevel.CITY)
    return v, _owner(pw, v), {"payload": {"period_start": 2030, "period_end": 2026}}


def _task(v: PlanVersion) -> dict[str, Any]:
    return {"task_id": v.tasks.first().pk}


SCENARIOS: dict[tuple[str, str], Scenario] = {
    # 第五条: the draft; 第六条: only while drafting, never once approved
    ("draft_edit", "A5-PERIOD"): _bad_period,
    ("draft_edit", "A6-2-FROZEN"): _frozen("draft_edit", lambda v: {"title": "擅自改名"}),
    ("draft_edit", "A6-1-DRAFT-ONLY"): _consultation_stage("draft_edit", lambda v: {"title": "改名"}),
    ("goal_add", "A6-2-FROZEN"): _frozen("goal_add", lambda v: {"text": "擅自增加的目标"}),
    ("goal_add", "A6-1-DRAFT-ONLY"): _consultation_stage("goal_add", lambda v: {"text": "新目标"}),
    ("task_add", "A6-2-FROZEN"): _frozen("task_add", lambda v: dict(TASK)),
    ("task_add", "A6-1-DRAFT-ONLY"): _consultation_stage("task_add", lambda v: dict(TASK)),
    ("task_update", "A6-2-FROZEN"): _frozen("task_update", lambda v: {**_task(v), "unit": "项"}),
    ("task_update", "A6-1-DRAFT-ONLY"): _consultation_stage(
        "task_update", lambda v: {**_task(v), "unit": "项"}
    ),
    ("task_remove", "A6-2-FROZEN"): _frozen("task_remove", _task),
    ("task_remove", "A6-1-DRAFT-ONLY"): _consultation_stage("task_remove", _task),
    # 第六条第一款: consultation and expert review
    ("comment", "A6-1-WINDOW-OPEN"): _window_closed,
    ("comment", "A6-1-RATE-LIMIT"): _rate_limited,
    ("comment", "A6-1-PUBLIC"): _signed_in_commenter,
    ("comments_answer", "A6-1-ANSWER-REASON"): _answer_without_reason,
    ("answers_publish", "A6-1-ANSWERS-DRAFTED"): _nothing_to_publish,
    ("consultation_summary", "A6-2-FROZEN"): _frozen("consultation_summary", lambda v: {"summary": "改写"}),
    ("consultation_summary", "A6-1-SUMMARY-STAGE"): _summary_in_draft,
    ("experts_assign", "A6-1-EXPERT-INDEPENDENT"): _insider_expert,
    ("experts_assign", "A6-1-ORGANISER"): _other_organiser,
    ("experts_assign", "A6-1-EXPERT-DUE"): _past_expert_due,
    ("expert_opinion", "A6-1-OPINION-ONCE"): _second_opinion,
    # 第六条第二款: change control
    ("change_request", "A6-2-ONE-CHANGE"): _second_change,
    ("change_request", "A6-2-REASON"): _change_without_reason,
    # 第七条: execution reports and inspections
    ("execution_report", "A7-SUPERVISED"): _city_report,
    ("execution_report", "A7-REPORT-YEAR"): _report_out_of_period,
    ("execution_report", "A7-REPORT-ONCE"): _second_report,
    ("inspection_sample", "A7-CITY-AUTHORITY"): _county_samples,
    ("inspection_sample", "A7-SUPERVISED"): _sample_city_plan,
    ("inspection_sample", "A7-SAMPLE-ONCE"): _second_sample,
    ("inspection", "A7-CITY-AUTHORITY"): _county_inspects,
}


def test_every_guard_and_actor_rule_of_the_records_has_a_refusal_scenario():
    """Adding a guard (or a planning actor rule) to a Record without a refusal test fails here."""
    expected = set()
    for step in WORKFLOW.records.values():
        expected |= {(step.name, x.code) for x in step.guards}
        expected |= {(step.name, x.code) for x in step.by if x.is_actor and not x.code.startswith("A4-")}
    assert expected <= set(SCENARIOS), sorted(expected - set(SCENARIOS))


@pytest.mark.parametrize(("step", "code"), list(SCENARIOS), ids=[f"{s}-{c}" for s, c in SCENARIOS])
def test_each_record_rule_refuses_citing_its_article_and_writes_nothing(pw, step, code):
    v, user, kwargs = SCENARIOS[(step, code)](pw)
    v = PlanVersion.objects.get(pk=v.pk)
    before = (v.version, DocketEvent.objects.for_case(v).count(), PublicComment.objects.count())
    before += (Inspection.objects.count(), PlanVersion.objects.count())
    expected = NotPermitted if REGISTRY[code].is_actor else RuleViolation
    with pytest.raises(expected) as exc:
        wf.fire(v, step, user=user, **kwargs)
    rule = REGISTRY[code]
    assert exc.value.code == code and exc.value.article == rule.citation
    assert exc.value.as_body()["article"] == rule.citation
    v.refresh_from_db()
    after = (v.version, DocketEvent.objects.for_case(v).count(), PublicComment.objects.count())
    assert before == (*after, Inspection.objects.count(), PlanVersion.objects.count())


def test_the_register_and_the_assessment_refuse_through_rules(pw):
    w = pw.world
    with pytest.raises(NotPermitted) as exc:  # in the name of another organisation
        services.plan_create(
            user=w.yongji.authority_user,
            level=PlanLevel.CITY,
            title="冒名编制的规划",
            jurisdiction=w.city.jurisdiction,
            owner=w.city.authority,
            period_start=2026,
            period_end=2030,
            parent_reference="省规划",
        )
    assert (exc.value.code, exc.value.article) == ("A4-OWNER", "第四条第一款")
    with pytest.raises(NotPermitted) as exc:
        r.enforce([r.reads_assessment], None, user=w.yongji.dept_user)
    assert (exc.value.code, exc.value.article) == ("A7-ASSESSMENT-READER", "第七条")
    r.enforce([r.reads_assessment], None, user=w.city.authority_user)
    r.enforce([r.reads_assessment], None, user=w.city.approver)


def test_records_appear_in_explain_with_their_blockers(pw):
    v = pw.draft(PlanLevel.CITY)
    owner = _owner(pw, v)
    options = {o.name: o for o in wf.explain(v, owner)}
    for name in ("draft_edit", "goal_add", "task_add", "task_update", "task_remove"):
        assert options[name].allowed and not options[name].changes_state and options[name].target == v.state
        assert options[name].payload is WORKFLOW.records[name].payload
    assert [b.code for b in options["consultation_summary"].blockers] == ["A6-1-SUMMARY-STAGE"]
    assert "comment" not in options and "execution_report" not in options  # not in this state
    # a stranger is told who may act (第四条) before anything else
    stranger = {o.name: o for o in wf.explain(v, pw.world.yongji.authority_user)}
    assert [b.code for b in stranger["goal_add"].blockers] == ["A4-OWNER"]

    frozen = pw.city_plan_in_force()
    options = {o.name: o for o in wf.explain(frozen, _owner(pw, frozen))}
    for name in ("draft_edit", "goal_add", "task_add", "task_update", "task_remove", "consultation_summary"):
        assert [b.code for b in options[name].blockers] == ["A6-2-FROZEN"], name
        assert options[name].blockers[0].citation == "第六条第二款"
    assert options["change_request"].allowed  # the reason is judged on the input given
    assert not options["execution_report"].allowed  # the city plan owes no annual report (第七条)
    assert [b.code for b in options["execution_report"].blockers] == ["A7-SUPERVISED"]

    consulting = pw.open_consultation(pw.draft(PlanLevel.CITY, title="另一规划"))
    options = {o.name: o for o in wf.explain(consulting, _owner(pw, consulting))}
    assert [b.code for b in options["comment"].blockers] == ["A6-1-PUBLIC"]  # the public's, not staff's
    assert {o.name: o for o in wf.explain(consulting, None)}["comment"].allowed
    assert [b.code for b in options["answers_publish"].blockers] == ["A6-1-ANSWERS-DRAFTED"]


def test_a_record_is_one_docket_event_with_before_and_after(pw):
    v = _consulting(pw)
    c = services.comment_submit(
        version=v, body="建议增加农村信息化任务。", name="张三", contact="13800000000", client="abc"
    )
    event = DocketEvent.objects.for_case(v).filter(action="comment").get()
    after = event.changes[f"publiccomment#{c.pk}"]["after"]
    assert after["body"] == "建议增加农村信息化任务。" and after["name"] == "张三"
    # 个人信息 of the public: neither the contact details nor the fingerprint are in the docket
    assert "13800000000" not in str(event.changes) + str(event.payload) and "abc" not in str(event.payload)
    assert "client_hash" not in after and event.actor_id is None
    v = pw.close_consultation(v)
    owner = _owner(pw, v)
    services.comments_answer(version=v, user=owner, comment_ids=[c.pk, c.pk], template="accepted")
    event = DocketEvent.objects.for_case(v).filter(action="comments_answer").get()
    assert event.payload["comments"] == [c.pk] and event.citation == "第六条第一款"
    diff = event.changes[f"publiccomment#{c.pk}"]
    assert diff["answer_status"] == {"before": "", "after": "accepted"}
    # a removed task is kept in the docket as it was
    draft = pw.draft(PlanLevel.CITY, title="删除任务的规划")
    task = draft.tasks.order_by("pk").last()
    services.task_remove(task=task, user=_owner(pw, draft))
    event = DocketEvent.objects.for_case(draft).filter(action="task_remove").get()
    assert event.changes[f"plantask#{task.pk}"]["before"]["text"] == task.text
    assert event.changes[f"plantask#{task.pk}"]["after"] is None


def test_typed_input_is_refused_in_chinese_before_any_rule(pw):
    v = pw.draft(PlanLevel.CITY)
    owner = _owner(pw, v)
    for payload in (
        {"text": "  "},  # required text, blank
        {"text": "目标\x00"},  # a NUL character (PostgreSQL refuses it)
        {"text": "目标", "extra": 1},  # an unknown field
    ):
        with pytest.raises(InvalidInput) as exc:
            wf.fire(v, "goal_add", user=owner, payload=payload)
        assert exc.value.status == 422 and exc.value.message
    with pytest.raises(InvalidInput) as exc:
        services.task_add(version=v, user=owner, text="任务", target_value="-5")
    assert "目标值" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        wf.fire(v, "open_consultation", user=owner, payload={"start": "1900-01-01", "end": "2026-01-31"})
    assert "征求意见开始日期" in exc.value.message


# -- the source: refusals only from rules.py -----------------------------------------------------------

CODE = re.compile(r"^(A\d+|P\d+|ROLE)-[A-Z0-9-]+$")
BUILT = {"RuleFailure", "RuleViolation", "NotPermitted"}


def _offences(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            fn = node.func
            name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
            if name in BUILT:
                found.append(f"{path.name}:{node.lineno}: {name}(…)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
            found.append(f"{path.name}:{node.lineno}: rule code {node.value!r}")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "record"
            and getattr(node.value, "id", "") == "docket"
        ):
            found.append(f"{path.name}:{node.lineno}: docket.record")
    return found


def test_no_refusal_or_docket_event_is_built_outside_rules_py():
    """Every refusal about the measures or platform policy is a registered rule (rules.py), taken by
    the engine or rules.enforce; no module of the app builds a rule failure, cites a rule code, or
    writes the docket by hand."""
    offences = []
    for path in sorted(APP.rglob("*.py")):
        if not path.name.startswith("rules") and "migrations" not in path.parts:
            offences += _offences(path)
    assert offences == []
    # the check itself finds what it looks for
    assert _offences(APP / "rules.py")


def test_rule_codes_are_normalised_and_ordered_by_article():
    mine = [x for x in REGISTRY.values() if x.check.__module__.startswith(r.__name__)]
    codes = [x.code for x in mine]
    assert codes and all(CODE.match(c) and not c.startswith(("P", "ROLE")) for c in codes)
    # A{article}-…, or A4-A{article}-… for who may act; rules.py reads in the order of the measures
    for x in mine:
        assert x.code.removeprefix("A4-").startswith(f"A{x.article}-"), x.code
    assert [x.article for x in mine] == sorted(x.article for x in mine)
    mapping = (Path(__file__).resolve().parents[2] / "docs" / "rule-codes.md").read_text(encoding="utf-8")
    for c in codes:
        assert f"`{c}`" in mapping, c


def test_in_force_versions_list_their_state_records(pw):
    v = _local_in_force(pw)
    assert v.state == PlanState.IN_FORCE
    options = {o.name: o for o in wf.explain(v, pw.world.city.authority_user)}
    assert options["inspection_sample"].allowed and options["inspection"].allowed


@pytest.mark.article(7)
def test_the_report_fulfils_the_years_duty_however_the_step_is_taken(pw):
    """第七条: the duty of the year reported is fulfilled by the report's own docket event, in the same
    transaction — through the service and through the step itself (the typed API) alike."""
    from infogov.core.models import Obligation

    v = _local_in_force(pw)
    owner = pw.world.yongji.authority_user
    for year in (2026, 2027):
        services.execution_obligation_open(version=v, year=year)
    services.execution_report_submit(version=v, user=owner, year=2026, progress=[])
    wf.fire(PlanVersion.objects.get(pk=v.pk), "execution_report", user=owner, payload={"year": 2027})
    duties = {o.code: o for o in Obligation.objects.for_case(v).filter(code__in=services_codes(2026, 2027))}
    assert duties["plan-execution-2026"].fulfilled_by.action == "execution_report"
    event = DocketEvent.objects.for_case(v).filter(action="execution_report").order_by("seq").last()
    assert duties["plan-execution-2027"].fulfilled_by == event
    assert not Obligation.objects.for_case(v).open().filter(code__in=services_codes(2026, 2027)).exists()


def services_codes(*years: int) -> list[str]:
    return [services.execution_code(y) for y in years]
