"""Who may open the social pages, and a private group's post permalink: the persona table."""

import pytest

from tests.factories import make_user
from tests.factories_groups import make_group
from tests.factories_social import discussion, reply

PAGES = ["/", "/?show=groups", "/notifications", "/notifications/settings", "/search?q=cohort", "/tags/cohort",
         "/notifications/handles?q=pa"]


@pytest.fixture
def world(fran, pat):
    other_lead = make_user("olga", role="participant", display_name="Olga Other")
    make_group(other_lead, "private", name="Another cohort")
    group = make_group(fran, "private", members=[pat], name="Cohort 9")
    topic = discussion(fran, group, title="Cohort plans", tags="cohort")
    post = reply(pat, topic, "Cohort reply")
    return {"post": post, "other_lead": other_lead}


@pytest.mark.parametrize(
    ("persona", "pages", "permalink"),
    [
        ("anonymous", 302, 302),
        ("suspended", 403, 403),
        ("pending", 403, 403),
        ("admin", 200, 302),
        ("fran", 200, 302),  # facilitator of the group
        ("pat", 200, 302),  # member of the group
        ("mallory", 200, 404),  # not a member: the post does not exist for her
        ("other_lead", 200, 404),  # facilitator of another group: no power here
    ],
)
def test_persona_table(request, client, login, world, persona, pages, permalink):
    if persona == "other_lead":
        login(world["other_lead"])
    elif persona != "anonymous":
        login(request.getfixturevalue(persona))
    for path in PAGES:
        assert client.get(path).status_code == pages, path
    assert client.get(f"/p/{world['post'].id}").status_code == permalink
    if pages == 200:
        html = client.get("/").data.decode()
        assert ("Cohort plans" in html) == (permalink == 302)
    if persona in ("mallory", "other_lead"):
        assert client.post(f"/posts/{world['post'].id}/react", data={"kind": "like"}).status_code == 404
        assert client.post(f"/watch/topic/{world['post'].topic_id}").status_code == 404
