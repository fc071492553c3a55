"""The import's batch submission (core.workflow.bulk.fire_many + similarity_batch) writes what
submitting the same drafts one by one writes: the same states, the same 第六条 duplicate hits
(scores and shared words, a duplicate between two rows of the same file included), the same docket
events; and its progress is the importer's to read (GET /api/projects/imports/{id})."""

import pytest
from django.db import transaction

from infogov.core.docket import verify as docket_verify
from infogov.core.models import DocketEvent
from infogov.projects import import_progress, imports
from infogov.projects.import_submit import submit_imported, submit_one_by_one
from infogov.projects.models import Project, SimilarityHit
from tests.projects.test_imports import row, workbook

pytestmark = [pytest.mark.django_db, pytest.mark.article(6)]

PLATFORM = "建设全市统一的电子证照库和证照共享服务，对接各部门业务系统，实现电子证照跨部门共享互认。"
PAYMENT = "建设统一公共支付平台，提供非税收入网上缴费、银行对账和电子票据开具，对接各部门收费系统。"
ROWS = [
    row("永吉县电子证照共享平台", 建设内容=PLATFORM),
    row("永吉县社区网格化服务管理平台", 建设内容="建设网格员巡查上报、事件分拨处置和居民诉求办理系统。"),
    row("永吉县电子证照库及共享服务系统", 建设内容=PLATFORM.replace("建设", "升级")),  # row 2's duplicate
    row("永吉县公共支付平台", 建设内容=PAYMENT),
    row("永吉县非税收入统一缴费系统", 建设内容=PAYMENT.replace("平台", "系统")),
]


class _Undo(Exception):
    pass


def _existing(walker):
    """Proposals already submitted in the county and the city: the corpus the rows are compared with."""
    for title, content in (
        ("永吉县政务服务电子证照系统", PLATFORM),
        ("永吉县医疗保障信息平台", "建设医保结算、基金监管和医保电子凭证服务。"),
        ("永吉县视频会议系统", "建设县乡两级视频会议系统。"),
    ):
        walker.submit(walker.create(title=title, content=content))


def _written(ids):
    """What the submission wrote for `ids`, without what differs by nature between two runs (keys,
    times, hashes)."""
    out = {}
    for p in Project.objects.filter(pk__in=ids).order_by("pk"):
        hits = sorted(
            (h.other_project_id, h.other_system_id, round(h.score, 9), tuple(h.shared_terms), h.method)
            for h in SimilarityHit.objects.filter(project=p)
        )
        events = [
            (e.seq, e.action, e.from_state, e.to_state, e.citation, e.comment, e.payload, e.changes,
             e.actor_id, e.organisation_id, e.jurisdiction_id)
            for e in DocketEvent.objects.for_case(p).order_by("seq")
        ]  # fmt: skip
        out[p.pk] = (p.state, p.version, hits, events)
    return out


def test_batch_submission_writes_what_one_by_one_submission_writes(walker):
    _existing(walker)
    created, _ = imports.start_import(user=walker.owner, data=workbook(*ROWS), submit=False)
    ids = [p.pk for p in created]
    try:
        with transaction.atomic():
            assert submit_one_by_one(walker.owner.pk, ids)["submitted"] == len(ids)
            single = _written(ids)
            raise _Undo
    except _Undo:
        pass
    assert set(Project.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"draft"}
    assert submit_imported(walker.owner.pk, ids)["submitted"] == len(ids)
    batch = _written(ids)
    assert batch == single
    # the test means something: a row found an earlier row of the same file, and an existing proposal
    third = batch[ids[2]][2]
    assert ids[0] in {h[0] for h in third}
    assert any(h[0] not in ids for h in batch[ids[0]][2])
    assert docket_verify.verify().ok


def test_batch_with_a_refused_row_matches_one_by_one(walker):
    """A refused row is not a document of the corpus for the rows after it, in either path."""
    _existing(walker)
    created, _ = imports.start_import(user=walker.owner, data=workbook(*ROWS), submit=False)
    ids = [p.pk for p in created]
    Project.objects.filter(pk=ids[0]).update(budget_source="")
    try:
        with transaction.atomic():
            assert submit_one_by_one(walker.owner.pk, ids)["submitted"] == len(ids) - 1
            single = _written(ids)
            raise _Undo
    except _Undo:
        pass
    result = submit_imported(walker.owner.pk, ids)
    assert result["submitted"] == len(ids) - 1 and [f["id"] for f in result["failed"]] == [ids[0]]
    assert _written(ids) == single


def test_progress_endpoint_for_the_importer_only(walker, world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(walker.owner)
    data = workbook(ROWS[0], ROWS[1])
    response = client.post("/api/projects/import", {"file": SimpleUploadedFile("申报.xlsx", data)})
    assert response.status_code == 201, response.content
    job = response.json()["job"]
    got = client.get(f"/api/projects/imports/{job}")
    assert got.status_code == 200, got.content
    body = got.json()
    assert (body["state"], body["total"], body["done"], body["submitted"], body["finished"]) == (
        "done",
        2,
        2,
        2,
        True,
    )
    assert body["refused"] == [] and body["project_ids"] == response.json()["ids"]
    # another county's department: the import is not theirs (404, not even whether it exists)
    client.force_login(world.jiaohe.dept_user)
    other = client.get(f"/api/projects/imports/{job}")
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    assert client.get("/api/projects/imports/no-such-import").status_code == 404
    client.logout()
    assert client.get(f"/api/projects/imports/{job}").status_code in (401, 403)


def test_progress_record_moves_through_its_states(walker):
    created, _ = imports.start_import(user=walker.owner, data=workbook(ROWS[0]), submit=False)
    job = import_progress.new_record(walker.owner, created, [2])
    assert import_progress.progress(job, walker.owner)["state"] == "queued"
    import_progress.writer(job)(state="checking", done=0)
    seen = import_progress.progress(job, walker.owner)
    assert (seen["state"], seen["finished"], seen["submitted"]) == ("checking", False, 0)
    submit_imported(walker.owner.pk, [p.pk for p in created], job)
    seen = import_progress.progress(job, walker.owner)
    assert (seen["state"], seen["finished"], seen["submitted"], seen["percent"]) == ("done", True, 1, 100)
    assert seen["finished_at"]


def test_pruned_batch_matches_one_by_one(walker, monkeypatch):
    """The same comparison with the batch's pruning on (a large corpus's path: the floor from the
    rows' rarest words, the frequent words left out) instead of scoring every document sharing a word."""
    from infogov.projects import similarity_batch

    monkeypatch.setattr(similarity_batch, "PAIRS_EXACT", 0)
    monkeypatch.setattr(similarity_batch, "PROBE", 1)
    _existing(walker)
    created, _ = imports.start_import(user=walker.owner, data=workbook(*ROWS, *ROWS_MORE), submit=False)
    ids = [p.pk for p in created]
    try:
        with transaction.atomic():
            submit_one_by_one(walker.owner.pk, ids)
            single = _written(ids)
            raise _Undo
    except _Undo:
        pass
    submit_imported(walker.owner.pk, ids)
    assert _written(ids) == single


ROWS_MORE = [
    row(f"永吉县电子证照共享平台{n}期", 建设内容=PLATFORM + f"第{n}期扩容。")
    for n in ("二", "三", "四", "五", "六")
] + [
    row(f"永吉县公共支付平台{n}期", 建设内容=PAYMENT + f"第{n}期。")
    for n in ("二", "三", "四", "五", "六", "七")
]
