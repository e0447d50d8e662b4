"""Programmes and units: defined by the manager, followed by cohorts, named by questions; a unit's page."""

from __future__ import annotations

from datetime import date

import pytest

from community.errors import Conflict, Forbidden, InvalidInput
from community.extensions import db
from community.models import Group, Topic
from community.services import programmes
from tests.factories import acting
from tests.factories_groups import make_group
from tests.factories_programmes import follow, make_programme
from tests.factories_qa import make_answer


@pytest.fixture
def cohort(admin, fran, pat, sam):
    """A private cohort following a programme of two units: fran facilitates, pat and sam learn."""
    programme, units = make_programme(admin, name="CIPD Level 5")
    group = make_group(fran, "private", members=[pat, sam], name="Cohort 2026")
    follow(admin, group, programme)
    return group, programme, units


# ---- the manager defines programmes and units ------------------------------------------------------


def test_the_manager_defines_a_programme_and_its_units_in_order(client, login, admin):
    login(admin)
    response = client.post("/programmes/", data={"name": "CIPD Level 5", "slug": "", "description": "HR"})
    assert response.status_code == 302
    prefix = f"p{programmes.programmes_with_units()[0][0].id}-"
    assert client.post("/programmes/cipd-level-5/units", data={f"{prefix}code": "5co02",
                                                               f"{prefix}title": "Evidence"}).status_code == 302
    assert client.post("/programmes/cipd-level-5/units", data={
        f"{prefix}code": "5CO01", f"{prefix}title": "Culture", f"{prefix}starts_on": "2026-01-05",
        f"{prefix}ends_on": "2026-03-01", f"{prefix}position": "0",
    }).status_code == 302  # fmt: skip
    listing = programmes.programmes_with_units()
    assert [(p.slug, [u.code for u in units]) for p, units in listing] == [("cipd-level-5", ["5CO01", "5CO02"])]
    assert listing[0][1][0].starts_on == date(2026, 1, 5)
    page = client.get("/programmes/").get_data(as_text=True)
    assert "5CO02" in page and "Add a unit to CIPD Level 5" in page


@pytest.mark.parametrize("persona", ["fran", "pat", "mallory"])
def test_only_the_manager_defines_programmes_and_units(client, login, admin, request, persona):
    programme, units = make_programme(admin, name="Existing")
    user = request.getfixturevalue(persona)
    login(user)
    assert client.post("/programmes/", data={"name": "Mine"}).status_code == 403
    assert client.post(f"/programmes/{programme.slug}/units", data={"code": "X1", "title": "T"}).status_code == 403
    edit = f"/programmes/{programme.slug}/units/{units[0].code}/edit"
    assert client.get(edit).status_code == 403
    assert client.post(f"/programmes/{programme.slug}/units/5CO01/delete").status_code == 403
    page = client.get("/programmes/").get_data(as_text=True)
    assert "Existing" in page and "Define a programme" not in page and "Add a unit" not in page
    with pytest.raises(Forbidden):
        programmes.create_programme(acting(user), name="Sneaky")
    assert len(programmes.programmes_with_units()) == 1


def test_a_visitor_sees_no_programme(client, admin):
    make_programme(admin, name="Hidden from visitors")
    response = client.get("/programmes/")
    assert response.status_code in (302, 404) and b"Hidden from visitors" not in response.data


@pytest.mark.parametrize(("data", "message"), [
    ({"code": "", "title": "T"}, "Please give the unit a code"),
    ({"code": "bad code!", "title": "T"}, "1 to 20 letters or digits"),
    ({"code": "5CO01", "title": "Again"}, "already has a unit 5CO01"),
    ({"code": "9X", "title": "T", "starts_on": "2026-05-01", "ends_on": "2026-04-01"}, "cannot end before"),
    ({"code": "9X", "title": "T", "starts_on": "not a date"}, "Not a valid date"),
])  # fmt: skip
def test_bad_unit_input_is_a_clear_400_that_keeps_what_was_typed(client, login, admin, data, message):
    programme, _units = make_programme(admin, name="Prog")
    login(admin)
    response = client.post(f"/programmes/{programme.slug}/units",
                           data={f"p{programme.id}-{key}": value for key, value in data.items()})
    assert response.status_code in (400, 409)
    page = response.get_data(as_text=True)
    assert message in page
    if data["title"] != "T":
        assert data["title"] in page


def test_a_programme_name_and_address_are_checked(admin):
    make_programme(admin, name="Twice")
    with pytest.raises(Conflict):
        programmes.create_programme(acting(admin), name="Twice")
    with pytest.raises(InvalidInput):
        programmes.create_programme(acting(admin), name="   ")
    with pytest.raises(InvalidInput):
        programmes.create_programme(acting(admin), name="Ok", slug="Not A Slug")


def test_the_manager_edits_and_removes_a_unit_and_its_questions_stay(client, login, admin, pat, cohort):
    group, programme, units = cohort
    question = programmes_ask(pat, group, "About culture", units[0].id)
    login(admin)
    edit = client.post(f"/programmes/{programme.slug}/units/5CO01/edit", data={"code": "5CO01A", "title": "Culture"})
    assert edit.status_code == 302 and edit.headers["Location"].endswith("/units/5CO01A")
    assert client.post(f"/programmes/{programme.slug}/units/5CO01A/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Topic, question.id).unit_id is None
    assert client.get(f"/programmes/{programme.slug}/units/5CO01A").status_code == 404


# ---- groups follow a programme ------------------------------------------------------------------


def test_a_facilitator_chooses_the_programme_in_the_group_settings(client, login, admin, fran, pat):
    programme, _units = make_programme(admin, name="CIPD Level 5")
    group = make_group(fran, "private", members=[pat], name="Cohort A")
    login(fran)
    form = client.get(f"/groups/{group.slug}/edit").get_data(as_text=True)
    assert "Programme this cohort follows" in form and "CIPD Level 5" in form
    data = {"name": "Cohort A", "description": "", "visibility": "private", "programme": str(programme.id)}
    assert client.post(f"/groups/{group.slug}/edit", data=data).status_code == 302
    assert db.session.get(Group, group.id).programme_id == programme.id
    tampered = client.post(f"/groups/{group.slug}/edit", data={**data, "programme": "99999", "name": "Renamed"})
    assert tampered.status_code == 400 and "Please choose one of the programmes listed." in tampered.get_data(True)
    assert db.session.get(Group, group.id).name == "Cohort A"


@pytest.mark.parametrize(("persona", "allowed"), [("admin", True), ("fran", True), ("pat", False),
                                                  ("mallory", False)])  # fmt: skip
def test_who_chooses_a_groups_programme(admin, fran, pat, mallory, persona, allowed):
    programme, _units = make_programme(admin)
    group = make_group(fran, "open", members=[pat])
    actor = {"admin": admin, "fran": fran, "pat": pat, "mallory": mallory}[persona]
    if allowed:
        follow(actor, group, programme)
        assert db.session.get(Group, group.id).programme_id == programme.id
    else:
        with pytest.raises(Forbidden):
            follow(actor, group, programme)


# ---- questions name a unit ------------------------------------------------------------------------


def test_a_member_asks_about_a_unit_of_their_cohorts_programme(client, login, pat, cohort):
    group, programme, units = cohort
    login(pat)
    form = client.get(f"/questions/ask?unit={units[1].id}").get_data(as_text=True)
    assert "5CO02 Evidence-based practice" in form and f'<option selected value="{units[1].id}">' in form
    response = client.post("/questions/ask", data={"title": "How do I weigh evidence?", "body": "Details here",
                                                   "where": str(group.id), "unit": str(units[1].id)})  # fmt: skip
    assert response.status_code == 302
    topic = db.session.scalars(db.select(Topic).where(Topic.title == "How do I weigh evidence?")).one()
    assert topic.unit_id == units[1].id
    page = client.get(f"/questions/{topic.id}").get_data(as_text=True)
    assert f"/programmes/{programme.slug}/units/5CO02" in page


def test_a_unit_outside_the_groups_programme_is_refused_and_the_text_kept(client, login, admin, pat, cohort):
    group, _programme, _units = cohort
    _other, other_units = make_programme(admin, name="Other", units=(("9Z9", "Elsewhere"),))
    login(pat)
    for where, unit in [(str(group.id), str(other_units[0].id)), ("", str(other_units[0].id)),
                        (str(group.id), "not-a-number")]:  # fmt: skip
        response = client.post("/questions/ask", data={"title": "My typed title", "body": "My typed body",
                                                       "where": where, "unit": unit})  # fmt: skip
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Choose a unit of the programme this group follows" in page
        assert "My typed title" in page and "My typed body" in page
    assert db.session.scalar(db.select(db.func.count(Topic.id)).where(Topic.kind == "question")) == 0


def test_the_question_list_and_search_filter_by_unit(client, login, pat, cohort):
    group, _programme, units = cohort
    about_1 = programmes_ask(pat, group, "Culture question about teams", units[0].id)
    about_2 = programmes_ask(pat, group, "Evidence question about teams", units[1].id)
    login(pat)
    page = client.get("/questions/?unit=5co01").get_data(as_text=True)
    assert about_1.title in page and about_2.title not in page and "Only unit 5CO01" in page
    found = client.get("/search?q=teams&unit=5CO02").get_data(as_text=True)
    assert about_2.title in found and about_1.title not in found


def programmes_ask(asker, group, title, unit_id):
    from community.services import qa

    return qa.ask_question(acting(asker), title=title, body="Some details", group=group, unit_id=unit_id)


# ---- a unit's page ---------------------------------------------------------------------------------


def test_a_units_page_lists_unanswered_questions_first(client, login, pat, sam, cohort):
    group, programme, units = cohort
    answered = programmes_ask(pat, group, "Answered one", units[0].id)
    make_answer(sam, answered)
    waiting = programmes_ask(pat, group, "Waiting one", units[0].id)
    programmes_ask(pat, group, "Other unit", units[1].id)
    login(pat)
    page = client.get(f"/programmes/{programme.slug}/units/5co01").get_data(as_text=True)
    assert page.index("Waiting one") < page.index("Answered one") and "Other unit" not in page
    assert "1 question waits for an answer." in page
    assert waiting.id


def test_a_units_page_shows_only_what_the_viewer_may_see(client, login, admin, pat, mallory, cohort):
    group, programme, units = cohort
    programmes_ask(pat, group, "Private cohort question", units[0].id)
    login(mallory)
    page = client.get(f"/programmes/{programme.slug}/units/5CO01")
    assert page.status_code == 200 and b"Private cohort question" not in page.data
    assert client.get(f"/programmes/{programme.slug}/units/NOPE").status_code == 404
    assert client.get("/programmes/no-such/units/5CO01").status_code == 404


# Session, memberships, the unit with its programme, its questions, their tags, settings, bell count.
UNIT_PAGE_QUERIES = 7


def test_a_units_page_query_count_does_not_grow(client, login, pat, cohort, count_queries, assert_queries):
    group, programme, units = cohort
    for i in range(3):
        programmes_ask(pat, group, f"Small {i}", units[0].id)
    login(pat)
    url = f"/programmes/{programme.slug}/units/5CO01"
    with assert_queries(UNIT_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    for i in range(25):
        programmes_ask(pat, group, f"Large {i}", units[0].id)
    with assert_queries(UNIT_PAGE_QUERIES):
        page = client.get(url)
    assert page.status_code == 200 and page.data.count(b'class="qa-row"') == 28


# ---- discussions and blog posts name a unit too -------------------------------------------------------


def test_a_discussion_names_a_unit_of_its_groups_programme(client, login, admin, pat, cohort):
    from tests.factories_boards import general_board

    group, _programme, units = cohort
    board = general_board(group)
    login(pat)
    form = client.get(f"/boards/{board.id}/new").get_data(as_text=True)
    assert "5CO01 Organisational performance and culture" in form
    ok = client.post(f"/boards/{board.id}/new", data={"title": "Culture talk", "body": "Let us talk",
                                                      "unit": str(units[0].id)})  # fmt: skip
    assert ok.status_code == 302
    topic = db.session.scalars(db.select(Topic).where(Topic.title == "Culture talk")).one()
    assert topic.unit_id == units[0].id
    _other, foreign = make_programme(admin, name="Foreign", units=(("F1", "Foreign unit"),))
    refused = client.post(f"/boards/{board.id}/new", data={"title": "Sneaky", "body": "Typed text",
                                                           "unit": str(foreign[0].id)})  # fmt: skip
    assert refused.status_code == 400 and "Typed text" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(Topic.id).where(Topic.title == "Sneaky")) is None


def test_a_blog_post_shared_with_a_cohort_names_a_unit(client, login, pat, cohort):
    group, _programme, units = cohort
    login(pat)
    assert "5CO02 Evidence-based practice" in client.get("/blogs/new").get_data(as_text=True)
    data = {"title": "What I learned on evidence", "body": "Plenty", "group_id": str(group.id),
            "unit": str(units[1].id), "action": "publish"}
    assert client.post("/blogs/new", data=data).status_code == 302
    topic = db.session.scalars(db.select(Topic).where(Topic.title == "What I learned on evidence")).one()
    assert topic.unit_id == units[1].id
    refused = client.post("/blogs/new", data={**data, "title": "Public one", "group_id": "0"})
    assert refused.status_code == 400 and "Choose a unit of the programme" in refused.get_data(as_text=True)


def test_an_event_names_a_unit_of_its_groups_programme(client, login, admin, fran, cohort):
    from tests.test_calendar_input import _form

    group, _programme, units = cohort
    login(fran)
    assert "5CO01 Organisational performance and culture" in client.get("/events/new").get_data(as_text=True)
    ok = client.post("/events/new", data=_form(group, title="Unit 5CO01 tutorial", unit=str(units[0].id)))
    assert ok.status_code == 302
    topic = db.session.scalars(db.select(Topic).where(Topic.title == "Unit 5CO01 tutorial")).one()
    assert topic.unit_id == units[0].id
    _other, foreign = make_programme(admin, name="Elsewhere", units=(("E1", "Elsewhere unit"),))
    refused = client.post("/events/new", data=_form(group, title="Sneaky tutorial", unit=str(foreign[0].id)))
    assert refused.status_code == 400 and "Choose a unit of the programme" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(Topic.id).where(Topic.title == "Sneaky tutorial")) is None


def test_the_unit_and_programme_forms_need_their_csrf_token(csrf_app, client, login, admin):
    import re

    programme, _units = make_programme(admin, name="Guarded")
    login(admin)
    page = client.get("/programmes/").get_data(as_text=True)
    assert 'id="csrf_token"' not in page  # several forms on one page: no duplicate ids
    token = re.search(rf'name="p{programme.id}-csrf_token" value="([^"]+)"', page).group(1)
    url = f"/programmes/{programme.slug}/units"
    fields = {f"p{programme.id}-code": "G1", f"p{programme.id}-title": "Guarded unit"}
    assert client.post(url, data=fields).status_code == 400
    assert client.post(url, data={**fields, f"p{programme.id}-csrf_token": token}).status_code == 302
    assert client.post("/programmes/", data={"name": "No token"}).status_code == 400
    general = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/programmes/", data={"name": "With token", "csrf_token": general}).status_code == 302
