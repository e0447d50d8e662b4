"""The dashboard's per-unit view: figures per unit, a chart with its table, CSV, who may see it, exact queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from community.extensions import db
from community.models import Topic
from community.services import qa
from tests.factories import acting
from tests.factories_groups import make_group
from tests.factories_programmes import follow, make_programme
from tests.factories_qa import make_answer


@pytest.fixture
def cohort(admin, fran, pat, sam):
    programme, units = make_programme(admin, name="CIPD Level 5")
    group = make_group(fran, "private", members=[pat, sam], name="Cohort 2026")
    follow(admin, group, programme)
    return group, programme, units


def _ask(asker, group, title, unit):
    return qa.ask_question(acting(asker), title=title, body="Some details", group=group, unit_id=unit.id)


def _age(topic, hours):
    """Move a question ``hours`` into the past (and its first answer with it), so times are known."""
    row = db.session.get(Topic, topic.id)
    row.created_at -= timedelta(hours=hours)
    if row.first_answer_at is not None:
        row.first_answer_at = row.created_at + timedelta(hours=hours / 2)
    db.session.commit()


def _fill(group, units, pat, sam, fran):
    stuck = [_ask(pat, group, f"Stuck {i}", units[1]) for i in range(3)]
    peer = _ask(pat, group, "Answered by a peer", units[0])
    make_answer(sam, peer)
    _age(peer, 4)
    staff = _ask(sam, group, "Answered by the facilitator", units[0])
    make_answer(fran, staff)
    _age(staff, 8)
    return stuck


def test_the_unit_view_shows_where_learners_are_stuck(client, login, cohort, fran, pat, sam):
    group, _programme, units = cohort
    _fill(group, units, pat, sam, fran)
    login(fran)
    page = client.get("/dashboard/units?period=30").get_data(as_text=True)
    table = page[page.index("<tbody>"):page.index("</tbody>")]
    first, second = table.split("</tr>")[:2]
    # 5CO01: 2 asked, 0 unanswered, median of 2 h and 4 h = 3 h, one first answer of two by a peer.
    assert "5CO01" in first and "<td>2</td><td>0</td><td>3.0 h</td><td>50%</td>" in first
    assert "5CO02" in second and "<td>3</td><td>3</td><td>–</td><td>–</td>" in second
    assert 'role="img"' in page and "Questions asked per unit" in page


def test_the_unit_csv_has_the_same_numbers(client, login, cohort, fran, pat, sam):
    group, _programme, units = cohort
    _fill(group, units, pat, sam, fran)
    login(fran)
    response = client.get("/dashboard/units.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[1] == ["CIPD Level 5", "5CO01", "Organisational performance and culture", "2", "0", "3.0", "50"]
    assert rows[2] == ["CIPD Level 5", "5CO02", "Evidence-based practice", "3", "3", "", ""]


@pytest.mark.parametrize("persona", ["pat", "mallory"])
def test_participants_and_outsiders_get_404(client, login, cohort, request, persona):
    login(request.getfixturevalue(persona))
    assert client.get("/dashboard/units").status_code == 404
    assert client.get("/dashboard/units.csv").status_code == 404


def test_a_facilitator_of_another_group_sees_none_of_this_cohorts_figures(client, login, admin, cohort, pat, sam,
                                                                          fran):  # fmt: skip
    from tests.factories import make_user

    group, programme, units = cohort
    _fill(group, units, pat, sam, fran)
    other_fac = make_user("otto", role="facilitator")
    other = make_group(other_fac, "private", name="Other cohort")
    follow(admin, other, programme)
    login(other_fac)
    page = client.get("/dashboard/units").get_data(as_text=True)
    assert "<td>0</td><td>0</td>" in page and "<td>3</td>" not in page


def test_the_admin_sees_the_whole_community_by_unit(client, login, admin, cohort, fran, pat, sam):
    group, _programme, units = cohort
    _fill(group, units, pat, sam, fran)
    login(admin)
    page = client.get("/dashboard/units").get_data(as_text=True)
    assert "<td>3</td><td>3</td>" in page


def test_no_programme_says_how_to_choose_one(client, login, fran, pat):
    make_group(fran, "open", members=[pat], name="Plain group")
    login(fran)
    assert "choose its programme in the group" in client.get("/dashboard/units").get_data(as_text=True)


# Session, memberships, the groups in scope, the units, the grouped counts, the answer times, settings, bell count,
# the review queue count (staff).
UNITS_QUERIES = 9


def test_the_unit_view_query_count_does_not_grow(client, login, cohort, fran, pat, sam, assert_queries):
    group, _programme, units = cohort
    _fill(group, units, pat, sam, fran)
    login(fran)
    with assert_queries(UNITS_QUERIES):
        assert client.get("/dashboard/units").status_code == 200
    for i in range(20):
        question = _ask(pat, group, f"More {i}", units[i % 2])
        if i % 3:
            make_answer(sam, question)
    with assert_queries(UNITS_QUERIES):
        assert client.get("/dashboard/units").status_code == 200
