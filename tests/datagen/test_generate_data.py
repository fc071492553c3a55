"""The data generator (`manage.py generate_data`, datagen/, projects/generate/) and the docket
verification it feeds (core/docket/verify.verify): small scales, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count

from infogov.core.docket import chain as docket
from infogov.core.docket import verify as docket_verify
from infogov.core.models import DocketEvent, DocketSeal, Obligation
from infogov.core.text import search_column
from infogov.core.workflow import engine as workflow
from infogov.datagen import runner as generate
from infogov.datagen.docket import Chain
from infogov.projects.choices import ProjectState
from infogov.projects.models import ProgressReport, Project
from infogov.projects.shared_data import cut_collected
from infogov.security.models import InformationSystem
from tests.testapp.models import Widget

pytestmark = pytest.mark.slow  # the data generator: thousands of rows per test

SMALL = generate.spec_for("city", projects=120, events=120 * 40)


class Rollback(Exception):
    pass


def content_digest() -> list[tuple]:
    """What the data says, without database ids (sequences differ between runs on PostgreSQL)."""
    projects = list(
        Project.objects.order_by("id").values_list(
            "title", "state", "budget", "year", "created_at", "search_text"
        )
    )
    events = list(
        DocketEvent.objects.order_by("id").values_list("action", "seq", "from_state", "to_state", "at")
    )
    return [*projects, *events]


@pytest.mark.django_db
def test_generates_a_valid_city_deterministically():
    # reset: identities restart at 1, as in the second run below — tests run before this one on the same
    # database may have used sequence values, and the same seed must give the same rows either way
    report = generate.generate(SMALL, seed=3, reset=True)
    assert report.counts["projects_project"] == 120 == Project.objects.count()
    events = DocketEvent.objects.count()
    assert events == report.counts["core_docketevent"]
    assert 0.6 * SMALL.events <= events <= 1.4 * SMALL.events, events
    assert report.pending and "resources" in report.pending[0]
    assert report.logins["city_authority"] and report.logins["city_dept"]
    # the docket verifies: every chain recomputed, every seal, the seal chain
    result = docket_verify.verify()
    assert result.ok, result.broken
    assert result.unsealed == 0 and result.seals == DocketSeal.objects.count() >= 1
    first = content_digest()
    # the same seed gives the same data
    with pytest.raises(Rollback), transaction.atomic():
        generate.generate(SMALL, seed=3, reset=True)
        second = content_digest()
        raise Rollback
    assert first == second
    with pytest.raises(Rollback), transaction.atomic():
        generate.generate(SMALL, seed=4, reset=True)
        assert content_digest() != first
        raise Rollback


@pytest.mark.django_db
def test_generated_projects_follow_their_workflow():
    generate.generate(SMALL, seed=5)
    ct = ContentType.objects.get_for_model(Project)
    states = set(Project.objects.values_list("state", flat=True))
    assert states <= set(ProjectState.values) and len(states) >= 5, states
    for p in Project.objects.all():
        chain = list(DocketEvent.objects.filter(case_type=ct, case_id=p.pk).order_by("seq"))
        assert chain[0].action == "create" and chain[0].to_state == ProjectState.DRAFT
        assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
        assert chain[-1].to_state == p.state, (p.pk, chain[-1].action, p.state)
        transitions = [e for e in chain if e.from_state != e.to_state]
        for a, b in itertools.pairwise(transitions):
            assert a.to_state == b.from_state, (p.pk, a.action, b.action)
        assert all(e.at >= chain[0].at for e in chain)
        # the hash is what docket.event_digest computes (independently of the generator's encoder)
        for e in chain[:3]:
            assert docket.recompute(e) == e.hash
        # the search words and the words of the data it collects are what the services write
        assert p.search_text == search_column(p.title, p.content)
        assert p.collected_words == cut_collected(p) != []
    # records and duties match the states
    assert ProgressReport.objects.count() > 0
    assert InformationSystem.objects.exists()
    assert not Obligation.objects.filter(opened_by__isnull=True).exists()
    assert not Obligation.objects.filter(fulfilled_at__isnull=False, fulfilled_by__isnull=True).exists()
    # 第三十一条第一款 同步运行: each delivery names its entry in the security register (one per unit and
    # name: the security generator registered it, not twice), whose source is a delivered project
    delivered = set(Project.objects.filter(state=ProjectState.DELIVERED).values_list("pk", flat=True))
    named = {
        e.changes["information_system"]["after"]["id"]
        for e in DocketEvent.objects.filter(case_type=ct, action="deliver")
    }
    entries = InformationSystem.objects.filter(pk__in=named)
    assert entries.count() == len(named) and len(named) <= len(delivered)
    assert set(entries.values_list("source_project_id", flat=True)) <= delivered
    assert not delivered or named
    keys = list(InformationSystem.objects.values_list("owner_id", "title", "source_project_id"))
    delivered_keys = [(o, t) for o, t, src in keys if src is not None]
    assert len(delivered_keys) == len(set(delivered_keys))
    assert not InformationSystem.objects.filter(jurisdiction__isnull=True).exists()
    assert not deliveries_left()
    project_ct = ContentType.objects.get_for_model(Project)
    codes = dict(Obligation.objects.filter(case_type=project_ct).values_list("code").annotate(n=Count("id")))
    assert set(codes) <= {"project-review", "acceptance-apply", "acceptance-filing"}
    # the security register's generator opens its own duties (filing, evaluation, risk assessment)
    others = set(Obligation.objects.exclude(case_type=project_ct).values_list("code", flat=True))
    assert others <= {"sec-filing", "sec-evaluation", "sec-risk-assessment"}, others


@pytest.mark.django_db
def test_command_generates_once_per_scale_and_seed():
    out = StringIO()
    call_command("generate_data", "--scale", "city", "--projects", "40", "--seed", "2", stdout=out)
    assert "完成，用时" in out.getvalue() and "未生成" in out.getvalue()
    assert generate.marker()["scale"] == "city-custom"
    out = StringIO()
    call_command("generate_data", "--scale", "city", "--projects", "40", "--seed", "2", stdout=out)
    assert "不再重复生成" in out.getvalue()
    assert Project.objects.count() == 40


# -- the docket's fast verification, on awkward content ------------------------------------------------


def _widget(world, **kw):
    land = world.yongji
    return workflow.create(
        Widget,
        user=land.dept_user,
        title="校验测试",
        jurisdiction=land.jurisdiction,
        owner=land.department,
        has_security_plan=True,
        budget=100,
        **kw,
    )


def _awkward_events(world) -> Widget:
    """Events whose text needs escaping in COPY and in JSON, nested and non-ASCII payloads, no actor."""
    w = _widget(world)
    with transaction.atomic():
        locked = Widget.objects.select_for_update().get(pk=w.pk)
        docket.record(
            locked,
            actor=world.yongji.dept_user,
            action="note",
            comment="制表\t换行\n回车\r反斜杠\\ 引号\" 单引号' \\N \\t",
            payload={"嵌套": {"b": [1, 2.5, None, True], "a": "值\u2028"}, "金额": "1.10", "x": 1e-7},
            changes={"description": {"before": None, "after": "新\n内容"}},
        )
        docket.record(locked, actor=None, action="system_note", comment="", payload={})
        docket.record(
            locked,
            actor=world.yongji.dept_user,
            action="note",
            attachments=[{"name": "附件\t.pdf", "size": 3}],
        )
    return w


@pytest.mark.django_db
def test_verify_handles_escaping_and_detects_tampering(world):
    w = _awkward_events(world)
    _awkward_events(world)
    docket.seal_pending()
    report = docket_verify.verify()
    assert report.ok, report.broken
    assert report.events == 8 and report.cases == 2 and report.unsealed == 0
    target = DocketEvent.objects.for_case(w).get(seq=2)
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")
            c.execute("ALTER TABLE core_docketevent DISABLE TRIGGER core_docketevent_append_only")
        else:
            c.execute("DROP TRIGGER core_docketevent_no_update")
        c.execute(
            "UPDATE core_docketevent SET payload = %s WHERE id = %s",
            [json.dumps({"嵌套": {"b": [1, 2.5, None, True], "a": "值"}}), target.pk],
        )
    broken = docket_verify.verify()
    assert not broken.ok and f"案卷记录 #{target.pk}" in broken.broken and "篡改" in broken.broken


def test_ranges_cut_only_between_seals():
    seals = [(1, 1, 100), (2, 101, 200), (3, 150, 260), (4, 261, 300)]  # seal 3 overlaps seal 2
    ranges = docket_verify._ranges(1, 350, seals, 2)
    assert ranges[0][0] == 1 and ranges[-1][1] == 350
    cuts = [b for _, b in ranges[:-1]]
    for cut in cuts:  # no seal spans a cut
        assert all(not (first <= cut < last) for _, first, last in seals), (cut, ranges)
    assert docket_verify._ranges(1, 10, [], 1) == [(1, 10)]


@pytest.mark.django_db(transaction=True)
def test_parallel_verify_joins_chains_across_ranges(world):
    """On PostgreSQL a large docket is checked by worker processes over id ranges: the chains that
    cross a cut are joined, and a break after the cut is still found."""
    if connection.vendor != "postgresql":
        pytest.skip("parallel verification runs on PostgreSQL only")
    widgets = [_widget(world) for _ in range(3)]
    docket.seal_pending()
    for w in widgets:  # these events come after the first seal: each chain crosses the cut
        workflow.edit(w, user=world.yongji.dept_user, changes={"description": "改"})
    docket.seal_pending()
    seals = list(DocketSeal.objects.order_by("id"))
    assert len(seals) == 2
    serial, parallel = docket_verify.verify(workers=1), docket_verify.verify(workers=2)
    assert serial.ok and parallel.ok, (serial.broken, parallel.broken)
    assert (
        (serial.events, serial.cases, serial.seals)
        == (parallel.events, parallel.cases, parallel.seals)
        == (6, 3, 2)
    )
    last = DocketEvent.objects.order_by("-id").first()
    with connection.cursor() as c:
        c.execute("ALTER TABLE core_docketevent DISABLE TRIGGER core_docketevent_append_only")
        try:
            c.execute("UPDATE core_docketevent SET prev_hash = %s WHERE id = %s", ["0" * 64, last.pk])
        finally:
            c.execute("ALTER TABLE core_docketevent ENABLE TRIGGER core_docketevent_append_only")
    broken = docket_verify.verify(workers=2)
    assert not broken.ok and f"案卷记录 #{last.pk}" in broken.broken and "哈希链断开" in broken.broken


def test_generator_digest_is_the_dockets():
    """The generator's Chain hashes with the same encoder settings as docket.event_digest."""
    at = dt.datetime(2021, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)

    class Out:
        rows: list = []

        def event(self, micros, row):
            self.rows.append(row)

    out = Out()
    chain = Chain(out, 7, 42, 3)  # type: ignore[arg-type]
    chain.add(
        at,
        (5, "张三", 9),
        "submit",
        "申报",
        "draft",
        "proposed",
        "第九条第一款",
        "意见\n",
        payload={"b": 1, "a": [Decimal("1.5").__str__()]},
        changes={"x": {"before": None, "after": 2}},
    )
    row = out.rows[0]
    expected = docket.event_digest(
        case_key="7:42",
        seq=1,
        at=at,
        actor_id=5,
        organisation_id=9,
        action="submit",
        from_state="draft",
        to_state="proposed",
        citation="第九条第一款",
        comment="意见\n",
        attachments=[],
        payload={"b": 1, "a": ["1.5"]},
        changes={"x": {"before": None, "after": 2}},
        prev_hash=docket.GENESIS,
    )
    assert row[-1] == expected


def deliveries_left() -> bool:
    """The staged deliveries (datagen.deliveries) are dropped once the register has them."""
    from django.db import connection

    from infogov.datagen import deliveries

    return deliveries.STAGE in connection.introspection.table_names()
