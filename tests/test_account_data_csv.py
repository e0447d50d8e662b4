"""The admins' member list as CSV: streamed, every member not erased, safe against formula injection."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from community.extensions import db
from community.models import AuditEvent
from community.services.account_data.member_csv import safe_cell
from tests.factories import make_user


def test_admin_downloads_every_member_as_csv(client, login, admin, pat, sam):
    make_user("evil", display_name="=HYPERLINK(\"http://x\")", organisation="+SUM(A1)")
    login(admin)
    response = client.get("/admin/members.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Handle", "Name", "E-mail"]
    handles = [r[0] for r in rows[1:]]
    assert {admin.handle, "pat", "sam", "evil"} <= set(handles)
    evil = rows[1 + handles.index("evil")]
    assert evil[1] == "'=HYPERLINK(\"http://x\")" and evil[5] == "'+SUM(A1)"
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "member.list_exported")) == admin.id


def test_every_dangerous_start_is_defused():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell("Pat") == "Pat" and safe_cell(None) == "" and safe_cell(3) == "3"


def test_only_admins(client, login, fran, pat, mallory):
    assert client.get("/admin/members.csv").status_code in (302, 404)
    for who in (fran, pat, mallory):
        login(who)
        assert client.get("/admin/members.csv").status_code == 404
