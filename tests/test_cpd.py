"""The CPD record: entries, links to one's own contributions, sharing with a facilitator, exports, and the
learning record on "My participation"."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from community.errors import InvalidInput, NotFound, RateLimited
from community.extensions import db
from community.models import CpdEntry, CpdLink, CpdShare, Event, Post, utcnow
from community.permissions import can_read_cpd_log, can_write_cpd_log
from community.services import cpd
from tests.factories import acting, make_user
from tests.factories_blogs import make_blog_post
from tests.factories_events import answer, make_event
from tests.factories_groups import make_group
from tests.factories_qa import accept, make_answer, make_question


def entry(owner, title="Workshop on coaching", *, on=date(2026, 3, 4), hours="1.5", learned="Listen **first**.",
          apply="Ask open questions in my 1:1s.", links=()):  # fmt: skip
    return cpd.create_entry(acting(owner), cpd.EntryFields(done_on=on, title=title, learned=learned, apply=apply,
                                                           hours=hours, links=list(links)))  # fmt: skip


@pytest.fixture
def cohort(fran, pat, sam, mallory):
    olga = make_user("olga", role="facilitator", display_name="Olga Other")
    group = make_group(fran, "private", members=[pat, sam], name="Cohort 12")
    other = make_group(olga, "private", members=[mallory], name="Other cohort")
    return {"group": group, "other": other, "olga": olga}


# --------------------------------------------------------------------------------------------------
# Hours, fields, links


@pytest.mark.parametrize(("typed", "hundredths"), [("2", 200), ("1.5", 150), ("1,25", 125), ("1:30", 150),
                                                    ("0:20", 33), ("", 0), (" 3.05 ", 305)])  # fmt: skip
def test_hours_are_read_as_people_type_them(typed, hundredths):
    assert cpd.parse_hours(typed) == hundredths


@pytest.mark.parametrize("typed", ["abc", "-1", "1.555", "101", "1:75", "=1+1"])
def test_bad_hours_are_refused_with_a_message(typed):
    with pytest.raises(InvalidInput) as caught:
        cpd.parse_hours(typed)
    assert caught.value.field == "hours" and caught.value.message


def test_an_entry_is_stored_with_its_markdown_rendered_once(pat):
    made = entry(pat, learned="Listen **first**. <script>alert(1)</script>")
    assert made.hours_hundredths == 150 and made.title == "Workshop on coaching"
    assert "<strong>first</strong>" in made.learned_html and "<script>" not in made.learned_html


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": "  "}, "title"), ({"title": "x" * 201}, "title"), ({"on": None}, "done_on"),
    ({"on": date.today() + timedelta(days=30)}, "done_on"), ({"learned": "x" * 10_001}, "learned"),
    ({"links": ["post:abc"]}, "links"), ({"links": ["topic:1"]}, "links"),
])  # fmt: skip
def test_bad_entries_are_refused_on_the_field(pat, fields, field):
    with pytest.raises(InvalidInput) as caught:
        entry(pat, **fields)
    assert caught.value.field == field
    assert db.session.scalar(select(CpdEntry.id)) is None


def test_links_only_to_ones_own_contributions(cohort, fran, pat, sam):
    group = cohort["group"]
    blog = make_blog_post(pat, title="What coaching taught me", group=group)
    question = make_question(sam, title="How to reflect?", group=group)
    mine = make_answer(pat, question)
    theirs = make_answer(sam, question, body="Sam's own answer.")
    event = make_event(fran, group, title="Coaching circle")
    answer(pat, event.id, "going")
    event_id = db.session.scalar(select(Event.id).where(Event.topic_id == event.id))
    blog_post = db.session.scalar(select(Post.id).where(Post.topic_id == blog.id, Post.number == 1))
    made = entry(pat, links=[f"post:{blog_post}", f"post:{mine.id}", f"event:{event_id}"])
    assert db.session.query(CpdLink).filter_by(entry_id=made.id).count() == 3
    choices = {c.value for c in cpd.link_choices(acting(pat))}
    assert {f"post:{blog_post}", f"post:{mine.id}", f"event:{event_id}"} <= choices
    assert f"post:{theirs.id}" not in choices
    with pytest.raises(InvalidInput):
        entry(pat, links=[f"post:{theirs.id}"])  # Sam's answer, not Pat's
    with pytest.raises(InvalidInput):
        entry(sam, links=[f"event:{event_id}"])  # Sam never said yes
    with pytest.raises(InvalidInput):
        entry(pat, links=["post:999999"])


def test_posting_is_rate_limited(pat, rate_limits, app):
    app.config["RATELIMIT_POSTING"] = "2 per minute"
    try:
        entry(pat)
        entry(pat)
        with pytest.raises(RateLimited):
            entry(pat)
    finally:
        app.config["RATELIMIT_POSTING"] = "20 per minute"


# --------------------------------------------------------------------------------------------------
# Who reads whose log


def _share(owner, facilitator):
    cpd.share_log(acting(owner), facilitator.id)


def test_sharing_only_with_a_facilitator_of_ones_groups(cohort, fran, pat, sam, admin):
    with pytest.raises(InvalidInput):
        cpd.share_log(acting(pat), cohort["olga"].id)  # facilitates another group
    with pytest.raises(InvalidInput):
        cpd.share_log(acting(pat), sam.id)  # a peer, not a facilitator
    with pytest.raises(InvalidInput):
        cpd.share_log(acting(pat), admin.id)
    _share(pat, fran)
    _share(pat, fran)  # twice is once
    assert db.session.query(CpdShare).count() == 1
    cpd.revoke_share(acting(pat), fran.id)
    assert db.session.query(CpdShare).count() == 0


def test_the_predicates(pat, sam, admin, suspended):
    assert can_read_cpd_log(acting(pat), pat) and can_write_cpd_log(acting(pat), pat)
    assert not can_read_cpd_log(acting(sam), pat) and not can_write_cpd_log(acting(sam), pat)
    assert not can_read_cpd_log(acting(admin), pat) and not can_write_cpd_log(acting(admin), pat)
    assert can_read_cpd_log(acting(sam), pat, shared_with_viewer=True)
    assert not can_write_cpd_log(acting(sam), pat)
    assert not can_read_cpd_log(suspended, suspended)


@pytest.mark.parametrize(("persona", "shared", "status"), [
    ("pat", False, 302),        # the owner: sent to their own log
    ("fran", False, 404),       # their facilitator, not shared with
    ("fran", True, 200),        # shared with
    ("sam", False, 404),        # a peer in the group
    ("mallory", False, 404),    # outside, ill-intentioned
    ("olga", False, 404),       # another group's facilitator
    ("ada", False, 404),        # the community manager: not theirs to read
    ("ada", True, 404),         # even when a share row names them (they facilitate no group of Pat's)
])  # fmt: skip
def test_permission_table_for_reading_a_log(client, login, cohort, fran, pat, sam, mallory, admin,
                                            persona, shared, status):  # fmt: skip
    entry(pat, title="Pat's private reflection")
    people = {"pat": pat, "fran": fran, "sam": sam, "mallory": mallory, "olga": cohort["olga"], "ada": admin}
    if shared:
        db.session.add(CpdShare(owner_id=pat.id, facilitator_id=people[persona].id))
        db.session.commit()
    login(people[persona])
    page = client.get("/cpd/members/pat")
    assert page.status_code == status
    assert ("Pat&#39;s private reflection" in page.get_data(as_text=True)) is (status == 200)


def test_a_share_ends_when_the_facilitator_no_longer_facilitates_them(client, login, cohort, fran, pat):
    _share(pat, fran)
    login(fran)
    assert client.get("/cpd/members/pat").status_code == 200
    from community.models import Membership

    db.session.execute(update(Membership).where(Membership.user_id == pat.id).values(state="left"))
    db.session.commit()
    assert client.get("/cpd/members/pat").status_code == 404


def test_the_facilitator_sees_shared_logs_and_not_the_private_links(client, login, cohort, fran, pat, mallory):
    secret = make_group(pat, "private", members=[], name="Pat's study set")
    blog = make_blog_post(pat, title="Only for my study set", group=secret)
    post_id = db.session.scalar(select(Post.id).where(Post.topic_id == blog.id))
    entry(pat, title="Reading week", links=[f"post:{post_id}"])
    _share(pat, fran)
    login(fran)
    assert "/cpd/members/pat" in client.get("/cpd/").get_data(as_text=True)
    assert "/cpd/members/pat" in client.get("/dashboard/").get_data(as_text=True)
    html = client.get("/cpd/members/pat").get_data(as_text=True)
    assert "Reading week" in html and "Only for my study set" not in html
    assert "/cpd/1/edit" not in html and "Download PDF" not in html
    login(pat)
    assert "Only for my study set" in client.get("/cpd/").get_data(as_text=True)


def test_others_cannot_change_delete_or_export(client, login, cohort, fran, pat, mallory, admin):
    made = entry(pat)
    _share(pat, fran)
    for person in (fran, mallory, admin):
        login(person)
        assert client.get(f"/cpd/{made.id}/edit").status_code == 404
        assert client.post(f"/cpd/{made.id}/edit", data={"title": "Hacked", "done_on": "2026-01-01"}).status_code == 404
        assert client.post(f"/cpd/{made.id}/delete").status_code == 404
        assert b"Workshop on coaching" not in client.get("/cpd/export.csv").data  # their own (empty) log
    db.session.expire_all()
    assert db.session.get(CpdEntry, made.id).title == "Workshop on coaching"


def test_visitors_and_pending_members_see_nothing(client, login, pat, pending):
    entry(pat)
    assert client.get("/cpd/").status_code in (302, 401)
    assert client.get("/cpd/export.pdf").status_code in (302, 401)
    assert client.get("/cpd/members/pat").status_code in (302, 401, 404)


# --------------------------------------------------------------------------------------------------
# Pages


def test_write_change_and_delete_an_entry_through_the_pages(client, login, pat):
    login(pat)
    assert client.get("/cpd/new").status_code == 200
    sent = client.post("/cpd/new", data={"title": "Read a chapter", "done_on": "2026-02-01", "hours": "0:45",
                                         "learned": "Culture eats strategy.", "apply": "Talk to my team."})  # fmt: skip
    assert sent.status_code == 302
    made = db.session.scalar(select(CpdEntry))
    assert made.hours_hundredths == 75 and made.learned == "Culture eats strategy."
    html = client.get("/cpd/").get_data(as_text=True)
    assert "Read a chapter" in html and "Culture eats strategy." in html
    changed = client.post(f"/cpd/{made.id}/edit", data={"title": "Read two chapters", "done_on": "2026-02-01",
                                                         "hours": "2"})  # fmt: skip
    assert changed.status_code == 302
    db.session.expire_all()
    assert db.session.get(CpdEntry, made.id).hours_hundredths == 200
    assert client.post(f"/cpd/{made.id}/delete").status_code == 302
    assert db.session.scalar(select(CpdEntry)) is None


@pytest.mark.parametrize(("data", "message"), [
    ({"title": "", "done_on": "2026-02-01"}, "Please say what you did."),
    ({"title": "Reading", "done_on": "2026-02-01", "hours": "lots"}, "Please give the hours as a number"),
    ({"title": "Reading", "done_on": "not a date"}, "Not a valid date value"),
    ({"title": "Reading", "done_on": "2026-02-01", "links": "post:424242"}, "Please choose among your own"),
])  # fmt: skip
def test_bad_input_keeps_what_was_typed(client, login, pat, data, message):
    login(pat)
    page = client.post("/cpd/new", data={**data, "learned": "What I typed stays here."})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert message in html and "What I typed stays here." in html
    assert db.session.scalar(select(CpdEntry)) is None


def test_the_log_shows_hours_per_year_and_filters_by_period(client, login, pat):
    entry(pat, "Old course", on=date(2025, 6, 1), hours="3")
    entry(pat, "New course", on=date(2026, 1, 10), hours="1.25")
    login(pat)
    html = client.get("/cpd/").get_data(as_text=True)
    assert "hours in 2025" in html and "hours in 2026" in html and "4.25" in html
    html = client.get("/cpd/?from=2026-01-01&to=2026-12-31").get_data(as_text=True)
    assert "New course" in html and "Old course" not in html
    for junk in ("yesterday", "2026-13-01", "9999-12-31", "0001-01-01", "2026-01-01%00"):
        bad = client.get(f"/cpd/?from={junk}&to={junk}")
        assert bad.status_code == 400 and "year-month-day" in bad.get_data(as_text=True)
        assert client.get(f"/cpd/export.csv?to={junk}").status_code == 400
    backwards = client.get("/cpd/export.pdf?from=2026-02-01&to=2026-01-01")
    assert backwards.status_code == 400 and "start before it ends" in backwards.get_data(as_text=True)


def test_sharing_page_shares_and_revokes(client, login, cohort, fran, pat):
    login(pat)
    html = client.get("/cpd/sharing").get_data(as_text=True)
    assert "Fran Facilitator" in html and "Olga Other" not in html
    assert client.post("/cpd/sharing/share", data={"facilitator": str(fran.id)}).status_code == 302
    assert db.session.query(CpdShare).count() == 1
    assert client.post("/cpd/sharing/share", data={"facilitator": str(cohort["olga"].id)}).status_code == 303
    assert client.post("/cpd/sharing/share", data={"facilitator": "x"}).status_code == 303
    assert client.post("/cpd/sharing/revoke", data={"facilitator": str(fran.id)}).status_code == 302
    assert db.session.query(CpdShare).count() == 0


def test_posts_need_the_csrf_token(client, login, csrf_app, pat):
    made = entry(pat)
    login(pat)
    assert client.post("/cpd/new", data={"title": "x", "done_on": "2026-01-01"}).status_code == 400
    assert client.post(f"/cpd/{made.id}/delete").status_code in (400, 303)
    assert db.session.get(CpdEntry, made.id) is not None


# --------------------------------------------------------------------------------------------------
# Exports


def test_the_pdf_reads_as_a_record_for_a_professional_body(client, login, cohort, pat):
    pat.organisation = "Acme Ltd"
    db.session.commit()
    entry(pat, "Atelier sur l'écoute — Łódź", on=date(2026, 3, 4), hours="1.5")
    entry(pat, "Outside the period", on=date(2025, 3, 4), hours="9")
    login(pat)
    response = client.get("/cpd/export.pdf?from=2026-01-01&to=2026-12-31")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("Continuing professional development record", "Pat Participant", "Acme Ltd",
                     "1 Jan 2026", "31 Dec 2026", "Atelier sur l'écoute — Łódź", "Listen **first**.",
                     "Total: 1.5 hours", "Signature", "Answers accepted"):  # fmt: skip
        assert expected in text, expected
    assert "Outside the period" not in text


def test_the_csv_is_safe_in_a_spreadsheet(client, login, pat):
    entry(pat, '=HYPERLINK("http://evil.example","x")', learned="+cmd|' /C calc'!A0", apply="@SUM(1)")
    login(pat)
    response = client.get("/cpd/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    data = next(row for row in rows if row and row[0] == "2026-03-04")
    assert data[1].startswith("'=HYPERLINK") and data[4] == "1.50"
    assert ["total", "1.50"] in rows


def test_export_without_fpdf_at_startup():
    import subprocess
    import sys

    code = "import community, sys; community.create_app; print('fpdf' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# --------------------------------------------------------------------------------------------------
# Query counts


# The request's own four (session+user, group roles, settings, the bell), then the log: entries and their
# links (posts, events, their topics and groups joined in one); a participant facilitates nothing, so no
# query for logs shared with them.
LOG_QUERIES = 6
# A facilitator: the owner and the live share, entries and links, and the header's count of what waits for
# their review.
SHARED_LOG_QUERIES = 9
# My participation: the member, the page's own figures, and the learning record's four (posts by group and
# month, those groups, accepted answers with peers helped, events attended).
PARTICIPATION_QUERIES = 13


def _grow(owner, n):
    for i in range(n):
        db.session.add(CpdEntry(user_id=owner.id, done_on=date(2026, 1, 1) + timedelta(days=i), title=f"Entry {i}",
                                hours_hundredths=100))  # fmt: skip
    db.session.commit()


def test_log_page_query_count_does_not_grow(client, login, cohort, fran, pat, count_queries):
    blog = make_blog_post(pat, title="A linked post", group=cohort["group"])
    post_id = db.session.scalar(select(Post.id).where(Post.topic_id == blog.id))
    entry(pat, links=[f"post:{post_id}"])
    _share(pat, fran)
    counts = []
    for extra in (2, 20):
        _grow(pat, extra)
        entry(pat, title=f"linked {extra}", links=[f"post:{post_id}"])
        login(pat)
        with count_queries() as seen:
            assert client.get("/cpd/").status_code == 200
        login(fran)
        with count_queries() as seen_by_fran:
            assert client.get("/cpd/members/pat").status_code == 200
        counts.append((len(seen), len(seen_by_fran)))
    assert counts[0] == counts[1] == (LOG_QUERIES, SHARED_LOG_QUERIES), counts


def test_learning_record_and_its_query_count(client, login, cohort, fran, pat, sam, mallory, count_queries):
    group = cohort["group"]
    q1 = make_question(sam, title="Sam asks", group=group)
    accept(sam, make_answer(pat, q1))
    q2 = make_question(fran, title="Fran asks", group=group)
    make_answer(pat, q2)
    make_answer(pat, make_question(sam, title="Sam again", group=group))
    event = make_event(fran, group, title="Past session")
    answer(pat, event.id, "going")
    db.session.execute(update(Event).values(starts_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    record = cpd.learning_record(acting(pat), acting(pat))
    assert (record.answers_accepted, record.peers_helped, record.events_attended) == (1, 2, 1)
    assert [g.name for g, _counts in record.by_group] == ["Cohort 12"]
    assert sum(record.by_group[0][1].values()) == 3
    assert list(record.by_group[0][1]) == [utcnow().strftime("%Y-%m")]
    later = cpd.learning_record(acting(pat), acting(pat), start=date.today() + timedelta(days=2))
    assert later.by_group == [] and later.months == []
    # Mallory's view of Pat's record would show nothing of the private cohort; she may not open it anyway.
    hidden = cpd.learning_record(acting(pat), acting(mallory))
    assert (hidden.answers_accepted, hidden.peers_helped, hidden.events_attended, hidden.by_group) == (0, 0, 0, [])
    login(pat)
    counts = []
    for extra in (1, 6):
        for i in range(extra):
            make_answer(pat, make_question(sam, title=f"More {extra} {i}", group=group))
        with count_queries() as seen:
            page = client.get("/dashboard/participation/pat")
        assert page.status_code == 200
        counts.append(len(seen))
    html = page.get_data(as_text=True)
    assert "Learning record" in html and "Cohort 12" in html and "Events attended" in html
    assert utcnow().strftime("%B %Y") in html  # the month, in words
    assert counts[0] == counts[1] == PARTICIPATION_QUERIES, counts


def test_not_found_entry(pat):
    with pytest.raises(NotFound):
        cpd.access_cpd_entry(acting(pat), 424242)
    assert db.session.query(CpdLink).count() == 0


def test_the_edit_page_keeps_an_entrys_links_chosen(client, login, cohort, pat):
    blog = make_blog_post(pat, title="My linked reflection", group=cohort["group"])
    post_id = db.session.scalar(select(Post.id).where(Post.topic_id == blog.id))
    made = entry(pat, links=[f"post:{post_id}"])
    login(pat)
    html = client.get(f"/cpd/{made.id}/edit").get_data(as_text=True)
    assert f'<option selected value="post:{post_id}">' in html and "My linked reflection" in html
    assert client.post(f"/cpd/{made.id}/edit", data={"title": "Kept", "done_on": "2026-03-04",
                                                      "links": f"post:{post_id}"}).status_code == 302  # fmt: skip
    assert db.session.query(CpdLink).filter_by(entry_id=made.id, post_id=post_id).count() == 1
