"""Views of the members blueprint: profiles, editing your profile, the member directory."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from community.errors import InvalidInput, RateLimited, Unavailable
from community.members import bp
from community.members.forms import ProfileForm, show_error
from community.models import ROLE_LABELS
from community.permissions import access_member, can_edit_profile, require
from community.services import members as service
from community.services.drafts import bio_draft_key, discard_draft


@bp.get("")
def directory() -> ResponseReturnValue:
    """The member directory: search by name or handle, filter by role, sort, pages."""
    args = {k: request.args.get(k, "").strip() for k in ("q", "role", "sort")}
    page = service.directory(current_user, q=args["q"], role=args["role"], sort=args["sort"],
                          page=service.page_number(request.args.get("page")))  # fmt: skip
    page.with_links(lambda n: url_for(".directory", **{k: v for k, v in args.items() if v}, page=n))
    return render_template("members/directory.html", page=page, args=args, roles=ROLE_LABELS)


@bp.get("/<handle>")
def profile(handle: str) -> ResponseReturnValue:
    """A member's profile: who they are, their groups and contributions the viewer may see."""
    member = access_member(current_user, handle)
    return render_template(
        "members/profile.html", member=member, **service.profile_data(current_user, member),
        **service.viewer_relation(current_user, member),
    )  # fmt: skip


@bp.route("/me/edit", defaults={"handle": None}, methods=["GET", "POST"])
@bp.route("/<handle>/edit", methods=["GET", "POST"])
def edit_profile(handle: str | None) -> ResponseReturnValue:
    """Edit your own profile (admins: anyone's), photo included."""
    member = current_user._get_current_object() if handle is None else access_member(current_user, handle)
    require(can_edit_profile(current_user, member), _("You can only edit your own profile."))
    form = ProfileForm(obj=member)
    if form.validate_on_submit():
        photo = form.avatar.data if form.avatar.data and form.avatar.data.filename else None
        try:
            service.update_profile(
                current_user, member, display_name=form.display_name.data, headline=form.headline.data,
                bio=form.bio.data, organisation=form.organisation.data, programme=form.programme.data,
                avatar=photo.stream if photo else None, remove_avatar=form.remove_avatar.data,
            )  # fmt: skip
        except (InvalidInput, RateLimited, Unavailable) as error:
            show_error(form, error, aliases={"image": "avatar"})  # the image service's field is our upload
            return render_template("members/edit.html", form=form, member=member), error.status
        else:
            discard_draft(current_user, bio_draft_key(current_user, member))
            flash(
                _("Your profile is saved.") if member.id == current_user.id else _("The profile is saved."), "success"
            )
            return redirect(url_for(".profile", handle=member.handle))
    status = 400 if form.is_submitted() else 200
    return render_template("members/edit.html", form=form, member=member), status
