"""Forms of the groups blueprint: they check shape only; the services apply the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

VISIBILITY_CHOICES = [
    SelectChoice("open", _l("Open: every member of the community can see the group and join it in one click.")),
    SelectChoice("request", _l("By request: everyone sees the group's name and description; people ask to join "
                            "and a facilitator says yes. Only members see what is written inside.")),
    SelectChoice("private", _l("Private: invisible to everyone who isn't a member. Facilitators invite people in.")),
]  # fmt: skip


class GroupForm(FlaskForm):
    """Create or edit a group."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Please give the group a name.")), Length(max=100)])
    slug = StringField(_l("Web address"), validators=[Optional(), Length(max=60)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    visibility = RadioField(_l("Who can see and join it?"), choices=VISIBILITY_CHOICES, default="open",
                            validate_choice=False)  # fmt: skip
    cover = FileField(_l("Cover image"))
    remove_cover = BooleanField(_l("Remove the current cover image"))
    approve_all_posts = BooleanField(_l("Approve every post before others see it (pre-moderation)"))
    peers_first_hours = IntegerField(_l("Give peers this many hours first (0: off)"), default=0,
                                     validators=[Optional(), NumberRange(min=0, max=168, message=_l(
                                         "Between 0 (off) and 168 hours (a week)."))])  # fmt: skip
    # Filled by the edit view with the programmes defined; the service checks the choice.
    programme = SelectField(_l("Programme this cohort follows"), choices=[SelectChoice("", _l("None"))], default="",
                            validate_choice=False)  # fmt: skip


class ActionForm(FlaskForm):
    """A one-button action (join, leave, approve, ...): the CSRF token is all it carries."""


class InviteForm(FlaskForm):
    """Invite one member, picked from the search results."""

    user_id = HiddenField(validators=[DataRequired()])
