"""Loading (第二十七条第一款): CSV (UTF-8, BOM, GBK), Excel, NDJSON; all or nothing with a row-level
Chinese report; increments keyed by record id through the API."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from infogov.core.errors import InvalidInput
from infogov.core.models import DocketEvent
from infogov.resources import services
from infogov.resources.models import DataRecord

from .conftest import PEOPLE, credit_code, resident_id

pytestmark = [pytest.mark.django_db, pytest.mark.article(27)]


def csv_bytes(rows, encoding="utf-8"):
    lines = ["公民身份号码,姓名,联系电话,所属区县,出生日期"]
    for r in rows:
        lines.append(",".join(r.get(k, "") for k in ("id_number", "name", "phone", "district", "born_on")))
    return ("\n".join(lines) + "\n").encode(encoding)


def upload(ex, r, data: bytes, name: str):
    return services.records_upload(user=ex.provider, resource=r, upload=io.BytesIO(data), filename=name)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding(ex, encoding):
    r = ex.published()
    upload(ex, r, csv_bytes(PEOPLE, encoding), "people.csv")
    assert DataRecord.objects.filter(resource=r).count() == 3
    rec = DataRecord.objects.get(resource=r, record_id=PEOPLE[2]["id_number"])
    assert rec.data["born_on"] == "1990-01-01" and rec.data["name"] == "王五"
    event = DocketEvent.objects.for_case(r).order_by("-seq").first()
    assert event.action == "load_records" and event.payload["rows"] == 3
    assert "张三丰" not in json.dumps(event.payload, ensure_ascii=False)


def test_one_bad_id_loads_nothing_and_reports_the_row(ex):
    r = ex.published()
    bad = dict(
        PEOPLE[1], id_number=PEOPLE[1]["id_number"][:-1] + ("0" if PEOPLE[1]["id_number"][-1] != "0" else "1")
    )
    with pytest.raises(InvalidInput) as e:
        upload(ex, r, csv_bytes([PEOPLE[0], bad, PEOPLE[2]]), "people.csv")
    assert DataRecord.objects.filter(resource=r).count() == 0
    assert e.value.details[0]["row"] == 3 and e.value.details[0]["column"] == "公民身份号码"
    assert "校验" in e.value.details[0]["message"]
    assert not DocketEvent.objects.for_case(r).filter(action="load_records").exists()


def test_code_lists_dates_required_and_duplicates(ex):
    r = ex.published()
    rows = [
        dict(PEOPLE[0], district="火星"),
        dict(PEOPLE[1], born_on="不是日期"),
        {"id_number": PEOPLE[2]["id_number"]},
        dict(PEOPLE[0]),
    ]
    with pytest.raises(InvalidInput) as e:
        ex.load(r, rows)
    messages = [d["msg"] for d in e.value.details]
    assert any("取值范围" in m for m in messages)
    assert any("日期" in m for m in messages)
    assert any("必填" in m for m in messages)
    assert any("重复" in m for m in messages)


def test_excel_and_ndjson(ex):
    from openpyxl import Workbook

    r = ex.published()
    book = Workbook()
    sheet = book.active
    sheet.append(["id_number", "name", "district"])
    for p in PEOPLE:
        sheet.append([p["id_number"], p["name"], p["district"]])
    out = io.BytesIO()
    book.save(out)
    upload(ex, r, out.getvalue(), "people.xlsx")
    assert DataRecord.objects.filter(resource=r).count() == 3
    nd = "\n".join(
        json.dumps({"id_number": p["id_number"], "name": p["name"] + "改"}, ensure_ascii=False)
        for p in PEOPLE
    ).encode()
    upload(ex, r, nd, "people.ndjson")
    assert DataRecord.objects.get(resource=r, record_id=PEOPLE[0]["id_number"]).data["name"] == "张三丰改"
    with pytest.raises(InvalidInput):
        upload(ex, r, b"{not json}\n", "x.ndjson")


def test_api_increments_upsert_and_delete(ex):
    r = ex.published()
    client = Client()
    client.force_login(ex.provider)
    url = f"/api/catalogue/{r.pk}/records"
    response = client.post(url, {"records": PEOPLE}, content_type="application/json")
    assert response.status_code == 200, response.content
    changed = dict(PEOPLE[0], phone="13900000000")
    client.post(url, {"records": [changed]}, content_type="application/json")
    assert DataRecord.objects.get(resource=r, record_id=PEOPLE[0]["id_number"]).data["phone"] == "13900000000"
    response = client.post(
        url,
        {"mode": "delete", "records": [{"id_number": PEOPLE[1]["id_number"]}]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert DataRecord.objects.filter(resource=r).count() == 2
    bad = client.post(url, {"records": [{"id_number": "123"}]}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["details"][0]["row"] == 1
    nul = client.post(url, {"records": [{"id_number": "1\u0000"}]}, content_type="application/json")
    assert 400 <= nul.status_code < 500
    other = Client()
    other.force_login(ex.consumer)
    assert other.post(url, {"records": PEOPLE}, content_type="application/json").status_code == 403


def test_legal_person_database_with_credit_codes(ex):
    fields = [
        {
            "code": "uscc",
            "name": "统一社会信用代码",
            "field_type": "credit_code",
            "field_sensitivity": "public",
            "required": True,
            "record_key": True,
        },
        {"code": "name", "name": "名称", "field_sensitivity": "public", "required": True},
    ]
    r = ex.published(
        fields=fields, base_category="legal_person", title="法人库", catalogue_code="1-02-001-001"
    )
    ex.load(r, [{"uscc": credit_code(), "name": "某某公司"}])
    with pytest.raises(InvalidInput) as e:
        ex.load(r, [{"uscc": credit_code()[:-1] + "0", "name": "错误"}])
    assert "统一社会信用代码" in e.value.details[0]["msg"]


def test_upload_page(ex):
    r = ex.published()
    client = Client()
    client.force_login(ex.provider)
    page = f"/resources/catalogue/{r.pk}/upload/"
    assert client.get(page).status_code == 200
    response = client.post(page, {"file": SimpleUploadedFile("p.csv", csv_bytes(PEOPLE, "gbk"))})
    assert response.status_code == 303
    assert DataRecord.objects.filter(resource=r).count() == 3
    bad = client.post(
        page, {"file": SimpleUploadedFile("p.csv", csv_bytes([{"id_number": resident_id()[:-1]}]))}
    )
    assert bad.status_code == 422 and "第2行" in bad.content.decode()


def test_the_load_step_needs_a_validated_batch(ex):
    from infogov.core.workflow import engine

    r = ex.published()
    with pytest.raises(InvalidInput) as e:
        engine.fire(
            r, "load_records", user=ex.provider, payload={"source": "x", "file_format": "api", "rows": 100}
        )
    assert e.value.code == "no_batch"
