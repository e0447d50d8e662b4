"""``community seed-demo``: a living demo cohort (members, groups, boards, discussions), built through the services.

The work is a list of small tasks run under a progress bar. Each step function adds its tasks to the plan;
the tasks run in order, so a later step can use what an earlier one built (they share a ``Demo``).

Hooks for content kinds that get their own demo step (append a ``plan_<kind>`` function to ``STEPS``):
  - blog posts: ``services.blogs.write_post(author, title=..., body=..., group=..., action="publish")``
    and comments with ``services.blogs.add_comment``;
  - questions and answers: ``services.qa.ask_question`` / ``post_answer`` / ``accept_answer``;
  - votes and likes: ``services.qa.cast_vote`` / ``services.blogs.set_like`` / reactions;
  - events and answers: ``services.calendar.schedule_event`` / ``answer_event`` (``calendar/demo.py``).
  - announcements: ``services.announcements.announce`` / ``dismiss`` (``announcements/demo.py``).
  - webhooks: ``services.webhooks.create_webhook`` / ``send_test`` (``webhooks/demo.py``).
  - CPD logs: ``services.cpd.create_entry`` / ``share_log`` (``cpd/demo.py``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from community import seed_data as data
from community.extensions import db
from community.models import Board, Group, Topic, User

DEMO_EMAIL_DOMAIN = "demo.example"  # a reserved domain: no real mailbox is ever written to
MARKER_GROUP = "spring-2026-cohort"  # the cohort group's slug marks a seeded community

Task = Callable[[], None]


@dataclass
class Demo:
    """What the steps build, shared between their tasks."""

    password: str
    admin: User | None = None
    admin_password: str | None = None
    facilitators: list[User] = field(default_factory=list)
    participants: list[User] = field(default_factory=list)
    groups: dict[str, Group] = field(default_factory=dict)
    boards: dict[str, Board] = field(default_factory=dict)
    topics: list[Topic] = field(default_factory=list)
    units: dict[str, int] = field(default_factory=dict)  # unit code -> id (programmes.demo)

    def person(self, ref: str) -> User:
        """``f0`` is the first facilitator, ``p3`` the fourth participant."""
        people = self.facilitators if ref[0] == "f" else self.participants
        return _acting(people[int(ref[1:])])


def _acting(user: User) -> User:
    """The member with their group roles loaded, as a request would see them."""
    from community.auth_session import load_group_roles

    load_group_roles(user)
    return user


def already_seeded() -> bool:
    """Whether the demo cohort exists already."""
    return bool(db.session.scalar(select(func.count()).select_from(Group).where(Group.slug == MARKER_GROUP)))


# --------------------------------------------------------------------------------------------------------
# Steps: each returns its tasks


def plan_members(demo: Demo) -> list[Task]:
    """The community manager (if none yet), three facilitators and thirty participants with profiles."""
    tasks: list[Task] = [lambda: _ensure_admin(demo)]
    for spec in data.FACILITATORS:
        tasks.append(lambda spec=spec: demo.facilitators.append(_member(demo, spec, "facilitator")))
    for spec in data.PARTICIPANTS:
        tasks.append(lambda spec=spec: demo.participants.append(_member(demo, spec, "participant")))
    return tasks


def _ensure_admin(demo: Demo) -> None:
    from community.services import setup

    existing = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
    if existing is not None:
        demo.admin = existing
        return
    demo.admin_password = secrets.token_urlsafe(12)
    demo.admin = setup.create_first_admin(
        email=f"manager@{DEMO_EMAIL_DOMAIN}", handle="community_manager", display_name="Morgan Ellis",
        password=demo.admin_password, community_name=data.COMMUNITY_NAME,
    )  # fmt: skip
    _web_notifications_only(demo.admin)


def _member(demo: Demo, spec: tuple[str, str, str, str], role: str) -> User:
    from community.services.accounts import create_user
    from community.services.members import update_profile

    handle, name, headline, organisation = spec
    user = create_user(email=f"{handle}@{DEMO_EMAIL_DOMAIN}", handle=handle, display_name=name,
                       password=demo.password, role=role)  # fmt: skip
    db.session.commit()
    first = name.split()[0]
    bio = (f"{first} works as {headline.lower()} at {organisation}." if role == "participant"
           else f"{first} facilitates the {data.PROGRAMME} programme.")  # fmt: skip
    update_profile(_acting(user), user, display_name=name, headline=headline, organisation=organisation,
                   programme=data.PROGRAMME, bio=bio)  # fmt: skip
    _web_notifications_only(user)
    return user


def _web_notifications_only(user: User) -> None:
    # Demo addresses lead nowhere: notify on the site only, so the outbox isn't filled with demo mail.
    from community.services.notifications import preferences, set_preferences

    set_preferences(user, dict.fromkeys(preferences(user), "web"))


def plan_groups(demo: Demo) -> list[Task]:
    """A private cohort group, a request-to-join study set and open interest circles, with members."""
    tasks: list[Task] = [lambda key=key: _make_group(demo, key) for key in data.GROUPS]
    for key, indexes in data.REQUESTS.items():
        for index in indexes:
            tasks.append(lambda key=key, index=index: _request(demo, key, index))
    return tasks


def _make_group(demo: Demo, key: str) -> None:
    from community.services.groups import add_member, create_group

    name, visibility, facilitator, members, description = data.GROUPS[key]
    owner = _acting(demo.facilitators[facilitator])
    group = create_group(owner, name=name, slug=MARKER_GROUP if key == "cohort" else None, description=description,
                         visibility=visibility)  # fmt: skip
    if key == "cohort":  # the whole facilitation team supports the cohort
        for other in demo.facilitators:
            if other.id != owner.id:
                add_member(group, other, role="facilitator", actor=owner)
    for index in members:
        add_member(group, demo.participants[index], actor=owner)
    demo.groups[key] = group


def _request(demo: Demo, key: str, index: int) -> None:
    from community.services.groups import request_to_join

    request_to_join(demo.person(f"p{index}"), demo.groups[key], None)


def plan_boards(demo: Demo) -> list[Task]:
    """Community-wide boards, and each group's General board (made with the group) by key."""

    def make() -> None:
        from community.services.boards import create_board

        assert demo.admin is not None
        for index, (name, description) in enumerate(data.COMMUNITY_BOARDS):
            demo.boards[f"community:{index}"] = create_board(_acting(demo.admin), name=name, description=description)
        for key, group in demo.groups.items():
            demo.boards[f"group:{key}"] = db.session.scalars(
                select(Board).where(Board.group_id == group.id).order_by(Board.position, Board.id)
            ).first()

    return [make]


def plan_discussions(demo: Demo) -> list[Task]:
    """Discussions with replies on the group boards and the community boards."""
    tasks: list[Task] = []
    for board_key, author, title, body, replies in data.THREADS:

        def make(board_key: str = board_key, author: str = author, title: str = title, body: str = body,
                 replies: list[tuple[str, str]] = replies) -> None:  # fmt: skip
            from community.services.posts import add_post, create_topic

            topic = create_topic(demo.person(author), kind="discussion", title=title, body=body,
                                 board=demo.boards[board_key])  # fmt: skip
            for who, text in replies:
                add_post(demo.person(who), topic, text)
            demo.topics.append(topic)

        tasks.append(make)
    return tasks


STEPS: list[Callable[[Demo], list[Task]]] = [plan_members, plan_groups, plan_boards, plan_discussions]

from community.blogs.demo import plan_blogs  # noqa: E402  (blog posts and comments)

STEPS.append(plan_blogs)

from community.programmes.demo import plan_peers_first, plan_programmes  # noqa: E402  (units; peers first)

STEPS.append(plan_programmes)

from community.qa.demo import plan_questions  # noqa: E402  (questions, answers, votes, accepted answers)

STEPS.append(plan_questions)

from community.calendar.demo import plan_events  # noqa: E402  (a weekly tutorial, a session, a meet-up)

STEPS.append(plan_events)

from community.images.demo import plan_images  # noqa: E402  (a chart in a profile, an animated GIF)

STEPS.append(plan_images)
from community.announcements.demo import plan_announcements  # noqa: E402  (the cohort's and the community's)

STEPS.append(plan_announcements)

from community.webhooks.demo import plan_webhooks  # noqa: E402  (the manager's CRM and reporting hooks)

STEPS.append(plan_webhooks)
from community.cpd.demo import plan_cpd  # noqa: E402  (CPD logs; p0's shared with the cohort's facilitator)

STEPS.append(plan_cpd)
from community.api.demo import plan_api_tokens  # noqa: E402  (a facilitator's and a participant's API tokens)

STEPS.append(plan_api_tokens)

from community.seed_history import plan_history  # noqa: E402  (last: spread it all over six weeks)

STEPS.append(plan_history)

from community.messages.demo import plan_messages  # noqa: E402  (private messages, in the last two days)

STEPS.append(plan_messages)

from community.composer.demo import plan_drafts  # noqa: E402  (p0's half-written reply and bio)

STEPS.append(plan_drafts)
STEPS.append(plan_peers_first)

from community.auth.demo import plan_account_data  # noqa: E402  (p0's data export ready; a deletion asked for)

STEPS.append(plan_account_data)


def seed_demo(password: str | None = None, *, progress: bool = True) -> Demo:
    """Build the demo cohort through the services; refuses (RuntimeError) if it exists already."""
    if already_seeded():
        raise RuntimeError("The demo cohort is already here: seed-demo only runs once per database.")
    demo = Demo(password=password or secrets.token_urlsafe(12))
    # Seeding writes many posts a second; the posting limits are for people, not for this command.
    limits = current_app.config.get("RATELIMIT_ENABLED", True)
    current_app.config["RATELIMIT_ENABLED"] = False
    try:
        tasks = [task for step in STEPS for task in step(demo)]
        if progress:
            with click.progressbar(tasks, label="Seeding the demo cohort", show_pos=True) as bar:
                for task in bar:
                    task()
        else:
            for task in tasks:
                task()
    finally:
        current_app.config["RATELIMIT_ENABLED"] = limits
    return demo


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Fill the community with a demo cohort: facilitators, ~30 participants, groups and discussions."""
    from community.cli import migrate_database

    if current_app.config.get("AUTO_MIGRATE", True):
        migrate_database()
    try:
        demo = seed_demo()
    except RuntimeError as exc:
        raise click.ClickException(str(exc))
    click.echo("")
    click.secho(f"Demo ready: {len(demo.facilitators)} facilitators, {len(demo.participants)} participants, "
                f"{len(demo.groups)} groups, {len(demo.topics)} discussions.", bold=True)  # fmt: skip
    if demo.admin_password and demo.admin is not None:
        click.echo(f"  Community manager: @{demo.admin.handle}  password: {demo.admin_password}")
    click.echo(f"  Every demo member (e.g. @{data.PARTICIPANTS[0][0]}, @{data.FACILITATORS[0][0]}) "
               f"signs in with the password: {demo.password}")  # fmt: skip
    click.echo("  Write these down: they are not shown again.")

