"""安全审计 (GB/T 22239-2019 level 3): the audit trail is hash-chained, append-only, complete enough
(lockouts, refusals, downloads, exports, administration) and readable and exportable by the audit
administrator alone."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from infogov.core import audit as chain
from infogov.core.models import AuditEvent
from infogov.core.signals import audit
from tests.core.test_attachments import PDF, new_widget, upload

pytestmark = pytest.mark.django_db


def test_events_are_chained_in_order(world):
    a = audit("login", actor=world.city.dept_user)
    b = audit("logout", actor=world.city.dept_user, detail_key="值")
    c = AuditEvent.objects.create(action="admin_change", actor_name="x", ip="::ffff:127.0.0.1")
    assert (a.seq, b.seq, c.seq) == (1, 2, 3)
    assert a.prev_hash == chain.GENESIS and b.prev_hash == a.hash and c.prev_hash == b.hash
    report = chain.verify()
    assert report.ok and report.events == 3 and report.head == c.hash


def test_an_event_cannot_be_saved_again(world):
    event = audit("login", actor=world.city.dept_user)
    event.action = "logout"
    with pytest.raises(ValueError):
        event.save()


@pytest.mark.parametrize(
    "statement", ["UPDATE core_auditevent SET action = 'x'", "DELETE FROM core_auditevent"]
)
def test_the_database_refuses_update_and_delete(world, statement):
    audit("login", actor=world.city.dept_user)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.filter(action="login").count() == 1


def test_the_orm_cannot_delete_either(world):
    audit("login", actor=world.city.dept_user)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()


def test_an_account_in_the_trail_cannot_be_deleted(world):
    from django.db.models import ProtectedError

    audit("login", actor=world.city.dept_user)
    with pytest.raises(ProtectedError):
        world.city.dept_user.delete()


def _lift_triggers():
    """What a database owner could do; the chain still tells."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks: ALTER TABLE needs that
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")


def _restore_triggers():
    from importlib import import_module

    migration = import_module("infogov.core.migrations.0005_audit_chain")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in migration.SQLITE_CREATE:
                cursor.execute(sql)
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


@pytest.mark.parametrize("tamper", ["edit", "delete"])
def test_tampering_breaks_the_chain_and_docket_verify_fails(world, tamper):
    for i in range(3):
        audit("login", actor=world.city.dept_user, n=i)
    middle = AuditEvent.objects.get(seq=2)
    _lift_triggers()
    try:
        with connection.cursor() as cursor:
            if tamper == "edit":
                cursor.execute("UPDATE core_auditevent SET actor_name = 'someone' WHERE id = %s", [middle.pk])
            else:
                cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [middle.pk])
    finally:
        _restore_triggers()
    report = chain.verify()
    assert not report.ok
    assert ("篡改" if tamper == "edit" else "删除") in "；".join(report.broken)
    with pytest.raises(CommandError) as exc:
        call_command("docket_verify", workers=1, stdout=io.StringIO())
    assert "审计日志校验失败" in str(exc.value)


def test_docket_verify_checks_the_audit_chain(world):
    audit("login", actor=world.city.dept_user)
    out = io.StringIO()
    call_command("docket_verify", workers=1, stdout=out)
    assert "已校验 1 条审计日志" in out.getvalue() and "校验通过" in out.getvalue()


def test_a_nul_byte_is_stored_without_it(world):
    audit("login_failed", username="ab\x00c", note="x\x00y")
    event = AuditEvent.objects.get(action="login_failed")
    assert event.detail == {"note": "xy"}
    assert event.actor_name == "abc" and chain.verify().ok


# -- what is recorded -------------------------------------------------------------------------------------


def test_a_refusal_is_recorded(world, client):
    client.force_login(world.sys_admin)
    assert client.get("/audit/").status_code == 403
    event = AuditEvent.objects.get(action="permission_denied")
    assert event.actor == world.sys_admin and event.target == "GET /audit/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_an_attachment_download_is_recorded_and_served_as_a_download(world, client, media):
    from infogov.core.attachments import attachment_add

    w = new_widget(world.city)
    att = attachment_add(case=w, user=world.city.dept_user, upload=upload("方案.pdf", PDF))
    client.force_login(world.city.dept_user)
    response = client.get(f"/attachments/{att.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action="attachment_download")
    assert event.actor == world.city.dept_user and event.detail["sha256"] == att.sha256


def test_role_changes_in_administration_are_recorded(world, client):
    from django.urls import reverse

    from infogov.org.models import Membership

    sec = world.sec_admin
    sec.is_staff = True
    sec.save(update_fields=["is_staff"])
    client.force_login(sec)
    response = client.post(
        reverse("admin:org_membership_add"),
        {"user": world.expert.pk, "organisation": world.city.authority.pk, "role": "authority_staff"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=world.expert, role="authority_staff").exists()
    assert AuditEvent.objects.filter(action="admin_add", actor=sec, detail__model="org.Membership").exists()


# -- the audit administrator's page ----------------------------------------------------------------------


def _events(world):
    audit("login", actor=world.city.dept_user)
    audit("login_failed", username="=cmd|' /C calc'!A0")
    audit("logout", actor=world.city.leader)


def test_filters_by_who_and_action(world, client):
    _events(world)
    client.force_login(world.audit_admin)
    page = client.get("/audit/", {"user": world.city.leader.username})
    assert page.status_code == 200
    rows = list(page.context["page"].object_list)
    assert [e.action for e in rows] == ["logout"]
    rows = list(client.get("/audit/", {"action": "login_failed"}).context["page"].object_list)
    assert [e.action for e in rows] == ["login_failed"]
    assert client.get("/audit/", {"date_from": "not-a-date"}).status_code == 200


def test_csv_export_for_the_audit_administrator_with_formula_cells_neutralised(world, client):
    _events(world)
    client.force_login(world.audit_admin)
    response = client.get("/audit/", {"export": "csv", "action": "login_failed"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "序号" and len(rows) == 2
    assert rows[1][2].startswith("'=")
    assert AuditEvent.objects.filter(action="audit_export", actor=world.audit_admin).exists()


def test_excel_export(world, client):
    _events(world)
    client.force_login(world.audit_admin)
    before = AuditEvent.objects.count()
    response = client.get("/audit/", {"export": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet["A1"].value == "序号"
    # header + every event, the export's own included (it is recorded before the rows are read)
    assert sheet.max_row == before + 2


def test_an_unknown_export_format_is_refused_in_chinese(world, client):
    client.force_login(world.audit_admin)
    response = client.get("/audit/", {"export": "pdf"}, follow=True)
    assert "导出格式只能是" in response.content.decode()


@pytest.mark.parametrize("who", ["sys_admin", "sec_admin"])
def test_other_administrators_cannot_read_or_export(world, client, who):
    _events(world)
    client.force_login(getattr(world, who))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/", {"export": "csv"}).status_code == 403
    assert not AuditEvent.objects.filter(action="audit_export").exists()


def test_business_users_cannot_export(world, client):
    client.force_login(world.city.leader)
    assert client.get("/audit/", {"export": "xlsx"}).status_code == 403


# -- three administrators (三员分立) on role grants ------------------------------------------------------


@pytest.mark.parametrize("who", ["sys_admin", "audit_admin"])
def test_only_the_security_administrator_grants_roles(world, client, who):
    from django.urls import reverse

    from infogov.org.models import Membership

    admin = getattr(world, who)
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    client.force_login(admin)
    response = client.post(
        reverse("admin:org_membership_add"),
        {"user": world.expert.pk, "organisation": world.city.authority.pk, "role": "authority_leader"},
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=world.expert, role="authority_leader").exists()
    assert AuditEvent.objects.filter(action="permission_denied", actor=admin).exists()


def test_a_case_list_export_is_recorded(world, client):
    client.force_login(world.city.authority_user)
    response = client.get("/projects/", {"export": "xlsx", "q": "物联网"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="case_export")
    assert event.actor == world.city.authority_user and "export=xlsx" in event.detail["query"]


def test_an_api_download_is_recorded(world, client, media):
    from infogov.core.attachments import attachment_add

    w = new_widget(world.city)
    att = attachment_add(case=w, user=world.city.dept_user, upload=upload("方案.pdf", PDF))
    client.force_login(world.city.dept_user)
    response = client.get(f"/api/attachments/{att.pk}")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action="attachment_download", actor=world.city.dept_user).exists()
