"""Profiles, the directory and the admin area in a real browser: a member fills in their profile with a
photo, the directory finds them, the admin suspends another member (who then sees only the holding
page) and reads the audit log."""

from __future__ import annotations

import io
import re

from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_user


def _photo(path) -> str:
    """A real PNG: a friendly round face on a soft background."""
    image = Image.new("RGB", (600, 600), (232, 240, 252))
    draw = ImageDraw.Draw(image)
    draw.ellipse((150, 110, 450, 410), fill=(224, 172, 105))
    draw.rectangle((130, 420, 470, 600), fill=(31, 95, 191))
    draw.ellipse((230, 220, 260, 250), fill=(40, 40, 40))
    draw.ellipse((340, 220, 370, 250), fill=(40, 40, 40))
    draw.arc((230, 260, 370, 350), 20, 160, fill=(120, 40, 40), width=8)
    out = io.BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return str(path)


def _community():
    """A small cohort with some life in it, built through the services (once per live server)."""
    from community.extensions import db
    from community.models import Board, User
    from community.services import posts
    from community.services.groups import add_member, create_group
    from tests.factories import acting

    # Tables added to the models since the last migration was generated (the schema migration is
    # regenerated from the models at release); create_all only adds what is missing.
    db.create_all()
    existing = db.session.query(User).filter(User.handle.in_(("mada", "mpriya", "msam"))).order_by(User.handle).all()
    db.session.rollback()  # end the read, so the writes that follow start fresh
    if len(existing) == 3:
        return tuple(existing)
    admin = make_user("mada", role="admin", display_name="Ada Lovelace", headline="Community manager")
    fran = make_user("mfran", role="facilitator", display_name="Fran Okafor", headline="Programme facilitator",
                     organisation="Northbridge Learning")  # fmt: skip
    priya = make_user("mpriya", display_name="Priya Shah")
    sam = make_user("msam", display_name="Sam Achebe", headline="L&D partner", organisation="Harbour Health")
    for handle, name, headline, org in [
        ("mines", "Ines Duarte", "HR advisor, cohort 12", "City of Leeds"),
        ("mtom", "Tom Becker", "Learning technologist", "Acme Retail"),
        ("maiko", "Aiko Tanaka", "People partner", "Kinetic Labs"),
        ("mravi", "Ravi Menon", "Talent development lead", "Harbour Health"),
    ]:
        make_user(handle, display_name=name, headline=headline, organisation=org)
    make_user("mlena", display_name="Lena Novak", state="pending", headline="Joining cohort 13")
    group = create_group(fran, name="Cohort 12", slug="m-cohort-12", description="Our cohort's space.",
                         visibility="open")  # fmt: skip
    add_member(group, priya)
    add_member(group, sam)
    board = db.session.query(Board).filter_by(group_id=group.id).one()
    acting(priya)
    posts.create_topic(
        priya,
        kind="discussion",
        title="How do you evaluate blended programmes?",
        body="I'm looking at **Kirkpatrick** and the LTEM model. What do you use?",
        board=board,
    )
    topic = posts.create_topic(acting(fran), kind="discussion", title="Welcome to Cohort 12",
                               body="Introduce yourself here!", board=board)  # fmt: skip
    posts.add_post(acting(priya), topic, "Hello everyone, I lead L&D at a mid-sized charity in Bristol.")
    return admin, priya, sam


def test_profile_directory_and_admin_suspension(new_page, live_server, live_data, tmp_path):
    _admin, _priya, _sam = _community()

    # Priya fills in her profile and uploads a photo.
    member = new_page()
    sign_in(member, live_server, "mpriya", PASSWORD)
    member.goto(live_server("/members/me/edit"))
    member.get_by_label("Headline").fill("L&D lead, learning to design blended programmes")
    member.get_by_label("Organisation").fill("Bristol Community Trust")
    member.get_by_label("Programme or cohort").fill("CIPD Level 7, cohort 12")
    member.get_by_label("About you").fill(
        "I look after learning and development for **120 staff** across four sites.\n\n"
        "Here to swap notes on *evaluation* and coaching."
    )
    member.get_by_label("Upload a new photo").set_input_files(_photo(tmp_path / "priya.png"))
    member.get_by_role("button", name="Save profile").click()
    member.wait_for_load_state("networkidle")
    expect(member.get_by_role("heading", name="Priya Shah", level=1)).to_be_visible()
    expect(member.get_by_text("Your profile is saved.")).to_be_visible()
    photo = member.locator(".profile-card img.avatar")
    assert re.match(r"^/uploads/[0-9a-f]{32}\.jpg$", photo.get_attribute("src"))
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 512
    expect(member.locator(".post-body strong", has_text="120 staff")).to_be_visible()
    expect(member.get_by_role("link", name="How do you evaluate blended programmes?")).to_be_visible()
    screenshot(member, "members-profile", keep=True)

    # A bad file is refused with a clear message, and what she typed stays.
    member.goto(live_server("/members/me/edit"))
    fake = tmp_path / "fake.png"
    fake.write_text("not really a picture")
    member.get_by_label("Headline").fill("Changed, but the photo is bad")
    member.get_by_label("Upload a new photo").set_input_files(str(fake))
    member.get_by_role("button", name="Save profile").click()
    expect(member.get_by_text("not an image we can read")).to_be_visible()
    assert member.get_by_label("Headline").input_value() == "Changed, but the photo is bad"
    screenshot(member, "members-edit-error")

    # The directory finds her by name.
    member.goto(live_server("/members"))
    member.get_by_label("Name, @handle, organisation or headline").fill("Priya Shah")
    member.get_by_role("button", name="Search").click()
    cards = member.locator(".member-card")
    assert cards.count() == 1
    expect(cards.first.get_by_role("link", name="Priya Shah")).to_be_visible()
    assert cards.first.locator("img.avatar").count() == 1
    member.goto(live_server("/members"))
    screenshot(member, "members-directory", keep=True)

    # Sam is signed in elsewhere.
    sam_page = new_page()
    sign_in(sam_page, live_server, "msam", PASSWORD)
    expect(sam_page.get_by_role("link", name="Members")).to_be_visible()

    # The admin suspends Sam for a week, with a reason.
    admin = new_page()
    sign_in(admin, live_server, "mada", PASSWORD)
    admin.goto(live_server("/admin/members"))
    expect(admin.get_by_role("button", name="Approve Lena Novak")).to_be_visible()
    screenshot(admin, "admin-members", keep=True)
    admin.get_by_label("Name, @handle or e-mail").fill("@msam")
    admin.get_by_role("button", name="Filter").click()
    admin.get_by_role("link", name="Manage Sam Achebe").click()
    admin.get_by_label("Suspended until").fill("2099-01-31")
    admin.get_by_label("Reason").last.fill("Repeated off-topic advertising after two warnings")
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="Suspend Sam Achebe").click()
    admin.wait_for_load_state("networkidle")
    expect(admin.get_by_text("Sam Achebe is suspended and has been signed out.")).to_be_visible()
    screenshot(admin, "admin-member-suspended")

    # Sam's browser is signed out; signing in again shows only the holding page.
    sam_page.goto(live_server("/members"))
    assert "/signin" in sam_page.url
    sign_in(sam_page, live_server, "msam", PASSWORD)
    expect(sam_page.get_by_role("heading", name="Your account is suspended")).to_be_visible()
    expect(sam_page.get_by_text("Repeated off-topic advertising")).to_be_visible()
    sam_page.goto(live_server("/members/mpriya"))
    expect(sam_page.get_by_role("heading", name="Your account is suspended")).to_be_visible()
    screenshot(sam_page, "members-suspended-holding")

    # The admin reads the audit entry.
    admin.goto(live_server("/admin/audit"))
    admin.get_by_label("By (@handle)").fill("mada")
    admin.get_by_role("button", name="Filter").click()
    row = admin.locator("tr", has_text="Sam Achebe").first
    expect(row.get_by_text("suspended").first).to_be_visible()
    expect(row.get_by_text("Repeated off-topic advertising after two warnings")).to_be_visible()
    expect(row.get_by_role("link", name="Ada Lovelace")).to_be_visible()
    screenshot(admin, "admin-audit")


def test_pages_read_well_on_a_phone(new_page, live_server, live_data):
    _community()  # when run on its own (or first)
    make_user("mphone", role="admin", display_name="Morgan Phone-Admin")
    phone = new_page(390, 844)
    sign_in(phone, live_server, "mphone", PASSWORD)
    for path, name in [("/members/mpriya", "members-profile-phone"), ("/members", "members-directory-phone"),
                       ("/admin/members", "admin-members-phone"), ("/admin", "admin-index-phone"),
                       ("/admin/audit", "admin-audit-phone"), ("/admin/settings", "admin-settings-phone")]:  # fmt: skip
        phone.goto(live_server(path))
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path
        screenshot(phone, name)
