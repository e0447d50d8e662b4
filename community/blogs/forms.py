"""Forms of the blogs blueprint: they check shape only; the services own the rules."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from community.forms import PostingForm
from community.i18n import to_utc

DATE_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


class BlogPostForm(PostingForm):
    """Write or edit a blog post; the pressed button says what to do with it."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Please give your post a title.")), Length(max=200)])
    body = TextAreaField(_l("Your post"), validators=[DataRequired(_l("Please write something first."))])
    tags = StringField(_l("Tags (optional)"), validators=[Optional(), Length(max=250)])
    group_id = SelectField(_l("Who can read it"), coerce=int, default=0)
    # The units of my groups' programmes (filled by the view); the service checks the group's programme.
    unit = SelectField(_l("Unit (optional)"), choices=[SelectChoice("", _l("No unit"))], default="",
                       validate_choice=False)
    cover = FileField(_l("Cover image (optional)"))
    remove_cover = BooleanField(_l("Remove the cover image"))
    image = FileField(_l("Add an image to your text"))
    image_alt = StringField(_l("Describe the image (for people who can't see it)"), validators=[Length(max=120)])
    publish_at = StringField(_l("Publish on"), validators=[Optional(), Length(max=40)])
    revision = HiddenField()
    save_draft = SubmitField(_l("Save draft"))
    publish = SubmitField(_l("Publish"))
    schedule = SubmitField(_l("Schedule"))
    save = SubmitField(_l("Save changes"))
    preview = SubmitField(_l("Preview"))
    insert_image = SubmitField(_l("Insert image"))

    def validate_publish_at(self, field: StringField) -> None:
        if field.data and self.scheduled_time() is None:
            raise ValidationError(_("That isn't a date and time we understand: use the picker, e.g. 2026-12-01 09:30."))

    def scheduled_time(self) -> datetime | None:
        """The chosen publication time, typed in the member's own time zone, as UTC (or None)."""
        raw = (self.publish_at.data or "").strip()
        for fmt in DATE_FORMATS:
            try:
                local = datetime.strptime(raw, fmt)
            except ValueError:
                continue
            try:
                return to_utc(local)
            except (OverflowError, ValueError):
                return None
        return None

    def action(self) -> str:
        """draft | publish | schedule | save | preview | insert_image."""
        for name in ("publish", "schedule", "save", "preview", "insert_image"):
            if getattr(self, name).data:
                return name
        return "draft"


class ScheduleForm(FlaskForm):
    """Schedule a draft from the post page."""

    publish_at = StringField(
        _l("Publish on"), validators=[DataRequired(_l("Please choose a date and time.")), Length(max=40)]
    )
    tz_offset = HiddenField()

    validate_publish_at = BlogPostForm.validate_publish_at
    scheduled_time = BlogPostForm.scheduled_time


class CommentForm(PostingForm):
    """A comment, or a reply to a comment (``parent_id``)."""

    body = TextAreaField(_l("Your comment"), validators=[DataRequired(_l("Please write something first."))])
    parent_id = HiddenField()

    def parent(self) -> int | None:
        """The comment replied to, if any (a non-number is treated as a bad reference by the service)."""
        raw = (self.parent_id.data or "").strip()
        if not raw:
            return None
        return int(raw) if raw.isdigit() and len(raw) < 12 else -1


class EditCommentForm(FlaskForm):
    """Edit a comment; ``revision`` is the revision the member started from (stale edits get a 409)."""

    body = TextAreaField(_l("Your comment"), validators=[DataRequired(_l("Please write something first."))])
    revision = HiddenField()


class HideForm(FlaskForm):
    """Hide a post or comment, with a reason shown to its author."""

    reason = StringField(_l("Reason (shown to the author)"), validators=[Length(max=500)])


class ImageForm(FlaskForm):
    """An inline image uploaded from the editor."""

    image = FileField(_l("Image"))
    alt = StringField(_l("Description"), validators=[Length(max=120)])


def revision_number(raw: str | None) -> int | None:
    """The hidden revision field as a number (None when missing or garbled)."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 9 else None


class FeedLinkForm(FlaskForm):
    """Make a personal feed link for one feed (choices filled by the view)."""

    feed = SelectField(_l("Which feed"))
