"""Editing a profile: text fields, Markdown bio, the photo (checked by content), and who may edit."""

import io
import os

import pytest
from PIL import Image

from community.extensions import db
from community.models import AuditEvent, Upload, User
from tests.factories_members import jpeg_with_exif, png_bytes

FIELDS = {"display_name": "Pat Parker", "headline": "Learning designer", "organisation": "Acme Ltd",
          "programme": "CIPD Level 5, cohort 7", "bio": "Hello **there**\n\n[site](javascript:alert(1))"}  # fmt: skip


def _reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def _post(client, path="/members/me/edit", photo=None, name="me.png", **fields):
    data = {**FIELDS, **fields}
    if photo is not None:
        data["avatar"] = (io.BytesIO(photo), name)
    return client.post(path, data=data, content_type="multipart/form-data")


def test_the_form_shows_the_current_profile(client, login, pat):
    login(pat)
    page = client.get("/members/me/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="Pat Participant"' in html and 'enctype="multipart/form-data"' in html
    assert "Remove my photo" not in html  # nothing to remove yet


def test_a_member_edits_their_profile(client, login, pat):
    login(pat)
    response = _post(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/members/pat")
    pat = _reload(pat)
    assert (pat.display_name, pat.headline, pat.organisation) == ("Pat Parker", "Learning designer", "Acme Ltd")
    assert "<strong>there</strong>" in pat.bio_html and "javascript" not in pat.bio_html
    page = client.get("/members/pat").get_data(as_text=True)
    assert "Pat Parker" in page and "<strong>there</strong>" in page
    # Members editing themselves aren't audited (only admins acting on others are).
    assert db.session.query(AuditEvent).count() == 0


def test_an_avatar_is_re_encoded_cropped_and_stripped(client, login, pat, app):
    login(pat)
    assert _post(client, photo=jpeg_with_exif(), name="holiday.jpg").status_code == 302
    pat = _reload(pat)
    assert pat.avatar_path and pat.avatar_path.endswith(".jpg")
    stored = os.path.join(app.config["UPLOAD_FOLDER"], pat.avatar_path)
    with Image.open(stored) as image:
        assert image.size == (512, 512)
        assert not image.getexif()
    with open(stored, "rb") as fh:
        assert b"SecretCam" not in fh.read()
    page = client.get("/members/pat").get_data(as_text=True)
    assert f'src="/uploads/{pat.avatar_path}"' in page
    with client.get(f"/uploads/{pat.avatar_path}") as served:
        assert served.status_code == 200 and served.mimetype == "image/jpeg"


def test_a_new_avatar_replaces_the_old_one_and_removing_it_goes_back_to_initials(client, login, pat, app):
    login(pat)
    _post(client, photo=png_bytes())
    first = _reload(pat).avatar_path
    _post(client, photo=png_bytes(color=(0, 200, 0)))
    second = _reload(pat).avatar_path
    assert second != first
    assert not os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], first))
    assert db.session.query(Upload).filter_by(name=first).count() == 0
    assert "Remove my photo" in client.get("/members/me/edit").get_data(as_text=True)
    assert _post(client, remove_avatar="y").status_code == 302
    assert _reload(pat).avatar_path is None
    assert not os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], second))
    assert "avatar-initials avatar-128" in client.get("/members/pat").get_data(as_text=True)


def _pixel_bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")  # 81 million pixels, a few kB on disk
    return out.getvalue()


BAD_FILES = {
    "fake": (b"this is just text pretending\n", "photo.png", "not an image we can read"),
    "truncated": (png_bytes(200, 200)[:300], "photo.png", "damaged"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg", "not an image"),
    "pixel bomb": (None, "bomb.png", "81,000,000 pixels; the largest we take is 40 million pixels"),
    "empty": (b"", "empty.png", "The file is empty"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_files_are_refused_and_nothing_changes(client, login, pat, app, kind):
    data, name, message = BAD_FILES[kind]
    if data is None:
        data = _pixel_bomb()
    login(pat)
    before = set(os.listdir(app.config["UPLOAD_FOLDER"]))
    response = _post(client, photo=data, name=name, headline="Typed but not saved")
    pat = _reload(pat)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'value="Typed but not saved"' in html  # what the member typed is kept
    assert (pat.headline, pat.display_name, pat.avatar_path) == ("", "Pat Participant", None)
    assert set(os.listdir(app.config["UPLOAD_FOLDER"])) == before
    assert db.session.query(Upload).count() == 0


def test_no_file_chosen_saves_the_rest(client, login, pat):
    # A browser sends an empty part without a file name when no file is chosen.
    login(pat)
    assert _post(client, photo=b"", name="").status_code == 302
    assert _reload(pat).headline == "Learning designer"
    assert _reload(pat).avatar_path is None


def test_an_oversized_image_is_refused(client, login, pat, app):
    login(pat)
    app.config["IMAGE_MAX_BYTES"], old = 2000, app.config["IMAGE_MAX_BYTES"]
    try:
        response = _post(client, photo=png_bytes(400, 400, (1, 2, 3)) + b"\0" * 3000)
    finally:
        app.config["IMAGE_MAX_BYTES"] = old
    assert response.status_code == 400
    assert "larger than" in response.get_data(as_text=True)
    assert _reload(pat).avatar_path is None


def test_a_request_over_the_upload_limit_gets_a_friendly_413(client, login, pat, app):
    login(pat)
    body = b"--x\r\n" + b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/members/me/edit", data=body, content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    assert _reload(pat).headline == ""


@pytest.mark.parametrize(
    "fields, field_text",
    [({"display_name": "   "}, "Please give your name"),
     ({"display_name": "Pat the Admin"}, "verified badge"),
     ({"display_name": "Fran Facilitator"}, "too close"),
     ({"headline": "x" * 141}, "140 characters"),
     ({"bio": "b" * 5001}, "5000 characters")],
)  # fmt: skip
def test_bad_input_is_refused_with_the_text_kept(client, login, fran, pat, fields, field_text):
    login(pat)
    response = _post(client, **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_text in html
    assert 'value="Acme Ltd"' in html
    assert _reload(pat).organisation == ""


def test_members_cannot_edit_someone_else(client, login, pat, sam):
    login(sam)
    assert client.get("/members/pat/edit").status_code == 403
    assert _post(client, path="/members/pat/edit").status_code == 403
    assert _reload(pat).display_name == "Pat Participant"
    assert client.get("/members/nobody/edit").status_code == 404


def test_an_admin_edits_anyones_profile_and_it_is_audited(client, login, admin, pat):
    login(admin)
    page = client.get("/members/pat/edit").get_data(as_text=True)
    assert "audit log" in page and 'value="Pat Participant"' in page
    response = _post(client, path="/members/pat/edit", display_name="Pat Participant", headline="Edited by admin")
    assert response.status_code == 302
    assert _reload(pat).headline == "Edited by admin"
    event = db.session.query(AuditEvent).one()
    assert (event.action, event.actor_id, event.target_id) == ("member.edit_profile", admin.id, pat.id)
    assert "headline" in event.detail["fields"]


def test_anonymous_and_suspended_members_cannot_edit(client, login, suspended, pat):
    assert client.get("/members/me/edit").status_code == 302
    login(suspended)
    assert client.post("/members/me/edit", data=FIELDS).status_code == 403
    assert _reload(suspended).display_name == "Susie Suspended"


def test_missing_csrf_token_is_refused(client, login, pat, csrf_app):
    login(pat)
    response = _post(client)
    assert response.status_code == 400
    assert _reload(pat).display_name == "Pat Participant"


def test_control_characters_are_dropped_not_stored(client, login, pat):
    login(pat)
    response = _post(client, display_name="Pat\x00 Parker", headline="Line\x00one\ttwo", bio="Hi\x00 there\nsecond")
    assert response.status_code == 302
    pat = _reload(pat)
    assert (pat.display_name, pat.headline) == ("Pat Parker", "Line one two")
    assert pat.bio == "Hi there\nsecond"
