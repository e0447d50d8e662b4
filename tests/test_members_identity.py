"""Facilitator identity: names never imitate staff; roles are shown by verified badges."""

import pytest

from community.errors import InvalidInput
from community.extensions import db
from community.models import User
from community.services.accounts import create_user
from community.services.members import check_display_name, has_staff_word, name_skeleton, update_profile
from tests.factories import acting, make_user
from tests.factories_groups import make_group


@pytest.mark.parametrize(
    "a, b",
    [
        ("Fran Facilitator", "fran facilitator"),
        ("Fran Facilitator", "FRAN   FACILITATOR"),
        ("Fran Facilitator", "Frän Fàcilitatör"),
        ("Fran Facilitator", "Frаn Fаcilitator"),  # a Cyrillic a
        ("Fran Facilitator", "Fr4n Faci1itat0r"),
        ("Fran Facilitator", "Fran Facllitator"),  # l for i
        ("Fran Facilitator", "Fran\u200bFacilitator"),  # zero-width space
        ("Ada Admin", "Ada Adrnin"),  # rn for m
        ("Ada Admin", "Ａｄａ Ａｄｍｉｎ"),  # full-width letters
    ],
)
def test_look_alike_names_fold_to_the_same_skeleton(a, b):
    assert name_skeleton(a) == name_skeleton(b)


def test_different_names_stay_different():
    assert name_skeleton("Fran Facilitator") != name_skeleton("Frank Facilitator")
    assert name_skeleton("Pat Participant") != name_skeleton("Sam Peer")


@pytest.mark.parametrize(
    "name",
    ["Admin Pat", "Pat (moderator)", "THE FACILITATOR", "Community Manager", "Staff", "Pat_Admin",
     "TheAdmin", "Adm1n Pat", "Moder\u0430tor Sam", "F.a.c.i.l.i.t.a.t.o.r", "Official Team"],
)  # fmt: skip
def test_staff_words_are_spotted(name):
    assert has_staff_word(name)


@pytest.mark.parametrize("name", ["Pat Participant", "Modupe Okafor", "Jo Stafford", "Sam Peer", "Priya Shah"])
def test_ordinary_names_pass(name):
    assert not has_staff_word(name)


def test_a_participant_cannot_take_a_facilitators_name(pat):
    make_user("maria", role="facilitator", display_name="María López")
    with pytest.raises(InvalidInput) as err:
        check_display_name("Marіa  L0pez", member=pat)  # a Cyrillic i, a zero
    assert err.value.field == "display_name"
    assert "too close" in err.value.message


def test_a_participant_cannot_take_the_admins_handle_as_a_name(admin, pat):
    with pytest.raises(InvalidInput):
        check_display_name("A D A", member=pat)


def test_a_participant_cannot_call_themselves_a_moderator(pat):
    with pytest.raises(InvalidInput) as err:
        check_display_name("Pat the Moderator", member=pat)
    assert "verified badge" in err.value.message


def test_staff_may_use_role_words_and_keep_their_own_name(fran, admin):
    assert check_display_name("Fran Facilitator", member=fran) == "Fran Facilitator"
    assert check_display_name("Ada  Admin", member=admin) == "Ada Admin"


def test_a_group_facilitator_counts_as_staff(fran, pat, sam):
    make_group(fran, "open", facilitators=[pat], name="Cohort 9")
    assert check_display_name("Pat, cohort facilitator", member=pat) == "Pat, cohort facilitator"
    # ... and their name is protected too.
    db.session.execute(db.update(User).where(User.id == pat.id).values(display_name="Pat Mentor"))
    db.session.commit()
    with pytest.raises(InvalidInput):
        check_display_name("pat  mentor", member=sam)


def test_create_user_refuses_an_imitating_name(fran):
    with pytest.raises(InvalidInput) as err:
        create_user(email="x@example.org", handle="xavier", display_name="Fran Faci1itator", password=None)
    assert err.value.field == "display_name"
    db.session.rollback()
    assert db.session.query(User).filter_by(handle="xavier").count() == 0


def test_create_user_refuses_staff_words_for_participants_only():
    with pytest.raises(InvalidInput):
        create_user(email="y@example.org", handle="yara", display_name="Yara Admin", password=None)
    db.session.rollback()
    user = create_user(email="z@example.org", handle="zed", display_name="Zed Admin", password=None, role="admin")
    assert user.display_name == "Zed Admin"


def test_update_profile_refuses_an_imitating_name_and_changes_nothing(fran, pat):
    with pytest.raises(InvalidInput):
        update_profile(acting(pat), pat, display_name="FRAN FACILITATOR", headline="new headline")
    db.session.rollback()
    db.session.expire_all()
    pat = db.session.get(User, pat.id)
    assert pat.display_name == "Pat Participant"
    assert pat.headline == ""


def test_a_deleted_staff_members_name_is_free_again(pat):
    make_user("olga", role="facilitator", display_name="Olga Old", state="deleted")
    assert check_display_name("Olga Old", member=pat) == "Olga Old"


def test_facilitators_may_be_namesakes_but_nobody_imitates_the_community_manager(admin):
    make_user("fran1", role="facilitator", display_name="Fran Okafor")
    # A second facilitator (verified too) who happens to share the name is fine ...
    assert make_user("fran2", role="facilitator", display_name="Fran Okafor").display_name == "Fran Okafor"
    # ... a participant is not, and nobody but the admin is "Ada Admin".
    with pytest.raises(InvalidInput):
        create_user(email="f3@example.org", handle="fran3", display_name="Fran 0kafor", password=None)
    db.session.rollback()
    with pytest.raises(InvalidInput):
        create_user(email="a2@example.org", handle="ada2", display_name="Ada Admin", password=None, role="facilitator")
