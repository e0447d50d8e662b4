"""A cohort in the browser: a facilitator creates a private group and invites two participants, who
accept; a non-member finds nothing at its address; a participant asks to join a request group and the
facilitator approves."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_user


def _cover(path) -> str:
    """A wide, gently coloured cover picture."""
    image = Image.new("RGB", (1200, 400), (31, 95, 191))
    draw = ImageDraw.Draw(image)
    for i in range(0, 1200, 60):
        draw.ellipse((i, 220 - (i % 180), i + 220, 440 - (i % 180)), fill=(15 + i % 40, 123, 95 + i % 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_a_cohort_forms_a_private_group(new_page, live_server, live_data, tmp_path):
    from community.services.groups import add_member, create_group

    fran = make_user("gfran", role="facilitator", display_name="Fran Okafor", headline="Programme facilitator")
    make_user("gpat", display_name="Pat Lindqvist", headline="HR advisor, cohort 12")
    make_user("gsam", display_name="Sam Achebe", headline="L&D partner")
    make_user("gmal", display_name="Mal Outsider")
    others = [make_user(f"gpeer{i}", display_name=name) for i, name in
              enumerate(["Ines Duarte", "Tom Becker", "Aiko Tanaka", "Ravi Menon"])]  # fmt: skip
    for name, visibility, text in [
        ("Reading circle", "request", "We read one chapter a week and talk it through on Thursdays."),
        ("Coaching practice", "open", "Practise coaching conversations in pairs; share what you learnt."),
        ("Cohort 11 alumni", "open", "For everyone who finished cohort 11."),
    ]:
        group = create_group(fran, name=name, description=text, visibility=visibility)
        for person in others[: 2 + len(name) % 3]:
            add_member(group, person)

    # The facilitator creates a private group with a cover picture.
    fac = new_page()
    sign_in(fac, live_server, "gfran", PASSWORD)
    fac.goto(live_server("/groups"))
    fac.get_by_role("link", name="Create a group").click()
    fac.get_by_label("Name", exact=True).fill("Cohort 12")
    fac.get_by_label("Description", exact=True).fill(
        "Our cohort's own space: **questions**, study notes and support.\n\n"
        "- Weekly check-in on Mondays\n- Assignment deadlines on the General board"
    )
    fac.get_by_label("Private: invisible to everyone").check()
    fac.get_by_label("Cover image").set_input_files(_cover(tmp_path / "cover.png"))
    screenshot(fac, "groups-create-form")
    fac.get_by_role("button", name="Create the group").click()
    expect(fac.get_by_role("heading", name="Cohort 12", level=1)).to_be_visible()
    expect(fac.get_by_text("You are its facilitator")).to_be_visible()
    address = fac.url

    # ... and invites two participants, picking them by name.
    fac.get_by_role("link", name="Members (1)").click()
    for who in ("Pat", "Sam"):
        fac.get_by_role("searchbox", name="Find a community member").fill(who)
        fac.get_by_role("button", name="Find").click()
        fac.get_by_role("button", name=f"Invite {'Pat Lindqvist' if who == 'Pat' else 'Sam Achebe'}").click()
        expect(fac.get_by_text("Invitation sent")).to_be_visible()
    expect(fac.get_by_role("heading", name="Invited (2)")).to_be_visible()

    # Both accept from their groups directory.
    for handle in ("gpat", "gsam"):
        member = new_page()
        sign_in(member, live_server, handle, PASSWORD)
        member.goto(live_server("/groups"))
        expect(member.get_by_text("You're invited to join")).to_be_visible()
        member.get_by_role("button", name="Accept").click()
        expect(member.get_by_text("Welcome to the group!")).to_be_visible()
        expect(member.get_by_role("button", name="Leave this group")).to_be_visible()

    # A non-member gets "not found" at the group's address, exactly as for a missing page.
    outsider = new_page()
    sign_in(outsider, live_server, "gmal", PASSWORD)
    response = outsider.goto(address)
    assert response.status == 404
    expect(outsider.get_by_role("heading", name="Not found")).to_be_visible()
    assert "Cohort 12" not in outsider.content()

    # The cohort starts talking (set up through the services, as the boards pages are tested elsewhere).
    from sqlalchemy import select

    from community.models import Board, Group, User
    from community.services.posts import create_topic

    live_data.session.rollback()  # a fresh snapshot: the browser's requests wrote meanwhile
    board = live_data.session.scalar(select(Board).join(Group, Board.group_id == Group.id)
                                     .where(Group.slug == address.rsplit("/", 1)[-1]))  # fmt: skip
    pat, sam = (live_data.session.scalar(select(User).where(User.handle == h)) for h in ("gpat", "gsam"))
    create_topic(sam, kind="discussion", title="Introductions: who's who in cohort 12", body="Hello all!", board=board)
    create_topic(pat, kind="discussion", title="Week 1 reading: what stood out for you?", body="For me...",
                 board=board)  # fmt: skip

    fac.goto(address)
    fac.wait_for_load_state("networkidle")
    expect(fac.get_by_text("Week 1 reading")).to_be_visible()
    screenshot(fac, "groups-home", keep=True)
    fac.goto(live_server("/groups?tab=all"))
    screenshot(fac, "groups-directory", keep=True)
    fac.goto(address + "/members")
    screenshot(fac, "groups-members")

    phone = new_page(390, 844)
    sign_in(phone, live_server, "gpat", PASSWORD)
    phone.goto(address)
    screenshot(phone, "groups-home-phone")
    phone.goto(live_server("/groups"))
    screenshot(phone, "groups-directory-phone")
    phone.goto(address + "/members")
    screenshot(phone, "groups-members-phone")


def test_a_participant_asks_to_join_and_the_facilitator_approves(new_page, live_server, live_data):
    from community.services.groups import create_group

    fran = make_user("rfran", role="facilitator", display_name="Rosa Facilitator")
    make_user("rpat", display_name="Rowan Participant")
    create_group(fran, name="Study set B", slug="study-set-b", visibility="request",
                 description="A small study set preparing the **final assessment** together.")  # fmt: skip

    asker = new_page()
    sign_in(asker, live_server, "rpat", PASSWORD)
    asker.goto(live_server("/groups/study-set-b"))
    expect(asker.get_by_role("heading", name="About this group")).to_be_visible()
    assert asker.get_by_text("General").count() == 0  # nothing of the content
    screenshot(asker, "groups-about-card")
    asker.get_by_role("button", name="Request to join").click()
    expect(asker.get_by_role("button", name="Cancel request")).to_be_visible()

    fac = new_page()
    sign_in(fac, live_server, "rfran", PASSWORD)
    fac.goto(live_server("/groups/study-set-b/members"))
    expect(fac.get_by_role("heading", name="Asking to join (1)")).to_be_visible()
    screenshot(fac, "groups-requests")
    fac.get_by_role("button", name="Approve").click()
    expect(fac.get_by_text("Request approved")).to_be_visible()

    asker.goto(live_server("/groups/study-set-b"))
    expect(asker.get_by_role("heading", name="Discussion boards")).to_be_visible()
    expect(asker.get_by_role("button", name="Leave this group")).to_be_visible()
