"""Forms of the blogs blueprint: they check shape only; the services own the rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

DATE_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


class BlogPostForm(FlaskForm):
    """Write or edit a blog post; the pressed button says what to do with it."""

    title = StringField("Title", validators=[DataRequired("Please give your post a title."), Length(max=200)])
    body = TextAreaField("Your post", validators=[DataRequired("Please write something first.")])
    tags = StringField("Tags (optional)", validators=[Optional(), Length(max=250)])
    group_id = SelectField("Who can read it", coerce=int, default=0)
    cover = FileField("Cover image (optional)")
    remove_cover = BooleanField("Remove the cover image")
    image = FileField("Add an image to your text")
    image_alt = StringField("Describe the image (for people who can't see it)", validators=[Length(max=120)])
    publish_at = StringField("Publish on", validators=[Optional(), Length(max=40)])
    tz_offset = HiddenField()  # minutes behind UTC, filled in by blogs.js (UTC without JavaScript)
    revision = HiddenField()
    save_draft = SubmitField("Save draft")
    publish = SubmitField("Publish")
    schedule = SubmitField("Schedule")
    save = SubmitField("Save changes")
    preview = SubmitField("Preview")
    insert_image = SubmitField("Insert image")

    def validate_publish_at(self, field: StringField) -> None:
        if field.data and self.scheduled_time() is None:
            raise ValidationError("That isn't a date and time we understand: use the picker, e.g. 2026-12-01 09:30.")

    def scheduled_time(self) -> datetime | None:
        """The chosen publication time in UTC (the browser's offset applied), or None."""
        raw = (self.publish_at.data or "").strip()
        for fmt in DATE_FORMATS:
            try:
                local = datetime.strptime(raw, fmt)
            except ValueError:
                continue
            try:
                offset = int(self.tz_offset.data or 0)
            except ValueError:
                offset = 0
            offset = max(-900, min(900, offset))
            try:
                return (local + timedelta(minutes=offset)).replace(tzinfo=UTC)
            except OverflowError:
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

    publish_at = StringField("Publish on", validators=[DataRequired("Please choose a date and time."), Length(max=40)])
    tz_offset = HiddenField()

    validate_publish_at = BlogPostForm.validate_publish_at
    scheduled_time = BlogPostForm.scheduled_time


class CommentForm(FlaskForm):
    """A comment, or a reply to a comment (``parent_id``)."""

    body = TextAreaField("Your comment", validators=[DataRequired("Please write something first.")])
    parent_id = HiddenField()

    def parent(self) -> int | None:
        """The comment replied to, if any (a non-number is treated as a bad reference by the service)."""
        raw = (self.parent_id.data or "").strip()
        if not raw:
            return None
        return int(raw) if raw.isdigit() and len(raw) < 12 else -1


class EditCommentForm(FlaskForm):
    """Edit a comment; ``revision`` is the revision the member started from (stale edits get a 409)."""

    body = TextAreaField("Your comment", validators=[DataRequired("Please write something first.")])
    revision = HiddenField()


class HideForm(FlaskForm):
    """Hide a post or comment, with a reason shown to its author."""

    reason = StringField("Reason (shown to the author)", validators=[Length(max=500)])


class ImageForm(FlaskForm):
    """An inline image uploaded from the editor."""

    image = FileField("Image")
    alt = StringField("Description", validators=[Length(max=120)])


def revision_number(raw: str | None) -> int | None:
    """The hidden revision field as a number (None when missing or garbled)."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 9 else None
