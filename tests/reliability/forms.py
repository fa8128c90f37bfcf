"""Every modal the app has, and how a person gets it open: the setup a form needs (a
mentorship, a request, a question...), the steps that open it, and values that make a
valid submission. The generated tests fill these forms with what Hypothesis draws."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from slack_bolt import App
from sqlalchemy.orm import Session

from bot import app as bot_app
from bot.blocks import actions as ids
from bot.blocks.admin import SECTION_VIEW, SECTIONS
from bot.listeners.analytics import PROGRAM_HOMES
from bot.services import milestone_instances
from bot.testing.driver import SlackDriver
from bot.testing.fake_chat import Message
from bot.testing.harness import ServedApp
from bot.testing.people import cast, seed
from models import (
    Assignment,
    CircleMember,
    MentorQuestion,
    MilestoneSubmission,
    RampMilestone,
    ScheduledSession,
    TopicCircle,
    User,
)
from tests.conftest import World, clean_database
from tests.factories import make_assignment, make_mentor
from tests.flows import assign

#: quick (CI, the default) or full (the documented run): how many inputs each test makes.
SIZE = os.environ.get("MENTORBOT_RELIABILITY_SIZE", "quick")
FULL = SIZE == "full"
START = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)  # the suite's usual Tuesday


@dataclass
class Scene:
    """What an opener works with: the people, the app's database and clock."""

    slack: SlackDriver
    served: ServedApp
    db: Session
    clock: list[datetime]
    world: World

    def reset(self) -> None:
        """A clean database and Slack with the cast seeded, as at the start of a test."""
        self.served.executor.wait_idle()
        self.db.rollback()
        clean_database(self.served.runtime.session_factory.kw["bind"])
        self.slack.fake.reset()
        PROGRAM_HOMES.clear()
        self.clock[0] = START
        people = cast()
        seed(self.db, self.slack.fake, people, START)
        self.db.commit()
        self.world = World(people)

    def person(self, role: str) -> Any:
        return getattr(self.world, role)

    def one(self, statement: Any) -> Any:
        self.db.expire_all()
        return self.db.scalars(statement).first()


@dataclass(frozen=True)
class Form:
    """One modal: who fills it, how it is opened on a fresh scene, a valid fill."""

    callback_id: str
    role: str
    open: Callable[[Scene], None]
    good: dict[str, Any]
    #: Told apart by their private_metadata where one callback id serves many modals.
    metadata_has: str = ""

    def is_open_in(self, view: dict[str, Any] | None) -> bool:
        return (
            view is not None
            and view.get("callback_id") == self.callback_id
            and self.metadata_has in str(view.get("private_metadata", ""))
        )


def _pair(scene: Scene, **extra: Any) -> Assignment:
    """Vera mentors Newt (active since 2 Nov), set up as the suite's tests do."""
    mentor = make_mentor(scene.db, scene.world.veteran)
    assignment = make_assignment(
        scene.db, mentor, scene.world.new_hire, assigned_by=scene.world.manager, **extra
    )
    scene.db.commit()
    return assignment


def _slash(role: str, text: str, *, setup: str = "pair", **pair: Any) -> Callable[[Scene], None]:
    """`role` types `/mentor <text>` after `setup`: "pair" (Vera mentors Newt), "mentor"
    (Vera is a mentor, no mentee yet) or "none"."""

    def open_(scene: Scene) -> None:
        if setup == "mentor":
            make_mentor(scene.db, scene.world.veteran)
            scene.db.commit()
        elif setup == "pair":
            _pair(scene, **pair)
        typed = text.format(**{r: scene.person(r).mention for r in ("veteran", "new_hire")})
        scene.slack.slash(scene.person(role), "/mentor", typed)

    return open_


def _settings(title: str) -> Callable[[Scene], None]:
    """The admin opens `/mentor admin` and picks one group of settings."""

    def open_(scene: Scene) -> None:
        scene.slack.slash(scene.world.admin, "/mentor", "admin")
        scene.slack.click(scene.world.admin, title, in_view=True)

    return open_


def _press(role: str, action_id: str, value: Callable[[Scene], Any]) -> Callable[[Scene], None]:
    def open_(scene: Scene) -> None:
        scene.slack.press(scene.person(role), action_id, str(value(scene)))

    return open_


def _circle_id(scene: Scene) -> Any:
    """Vera hosts a circle, opened a week ago, that Newt has joined."""
    host = make_mentor(scene.db, scene.world.veteran)
    circle = TopicCircle(
        host_mentor_id=host.id,
        name="Renewals clinic",
        topic="Renewals",
        seats=4,
        cadence="weekly",
        created_at=scene.clock[0] - timedelta(days=7),
    )
    scene.db.add(circle)
    scene.db.flush()
    scene.db.add(
        CircleMember(circle_id=circle.id, user_id=scene.world.new_hire.user_id, joined_at=START)
    )
    scene.db.commit()
    return circle.id


def _assignment_id(scene: Scene) -> Any:
    return _pair(scene).id


def _decline(scene: Scene) -> None:
    make_mentor(scene.db, scene.world.veteran)
    scene.db.commit()
    assign(scene.slack, scene.world.manager, scene.world.veteran, scene.world.new_hire)
    scene.slack.click(
        scene.world.veteran, "Decline", message=scene.slack.last_dm(scene.world.veteran)
    )


def _ask(scene: Scene) -> None:
    _pair(scene)
    message = Message("CGENERAL", "1763391600.000100", "Is the renewal forecast in Salesforce?")
    scene.slack.shortcut(scene.world.new_hire, ids.ASK_SHORTCUT, message)


def _answer(scene: Scene) -> None:
    _pair(scene)
    scene.slack.mentor(scene.world.new_hire, "ask How do I prepare a QBR?")
    question = scene.one(sa.select(MentorQuestion.id))
    scene.slack.press(scene.world.veteran, ids.QUESTION_ANSWER, str(question))


def _milestone_id(scene: Scene) -> Any:
    _pair(scene)
    milestone_instances.instantiate_for_new_hires(scene.db, START)
    scene.db.commit()
    newt = scene.one(sa.select(User.id).where(User.slack_user_id == scene.world.new_hire.id))
    return scene.one(
        sa.select(RampMilestone.id).where(
            RampMilestone.mentee_user_id == newt,
            RampMilestone.milestone_name == "First QBR run solo",
        )
    )


def _changes(scene: Scene) -> None:
    scene.slack.press(scene.world.new_hire, ids.MILESTONE_SUBMIT, str(_milestone_id(scene)))
    assert scene.slack.submit(scene.world.new_hire, {"Evidence": "Done with Acme."}).ok
    submission = scene.one(sa.select(MilestoneSubmission.id))
    scene.slack.press(scene.world.veteran, ids.MILESTONE_REQUEST_CHANGES, str(submission))


def _no_show(scene: Scene) -> None:
    _pair(scene)
    newt, vera = scene.world.new_hire, scene.world.veteran
    scene.slack.slash(newt, "/mentor", "schedule")
    assert scene.slack.submit(newt, {"Date 1": "2026-11-18", "Time 1": "10:00"}).ok
    scene.slack.click(vera, "Confirm", message=scene.slack.last_dm(vera))
    scene.clock[0] = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)  # after the session
    scheduled = scene.one(sa.select(ScheduledSession.id))
    scene.slack.press(vera, ids.SCHEDULE_DIDNT_HAPPEN, str(scheduled))


LOG = {"Duration (minutes)": "45", "Topics": ["Renewals"], "Summary": "Walked through Acme."}
PROPOSE = {"Date 1": "2026-11-19", "Time 1": "08:00", "Duration 1 (minutes)": "45"}

#: Every modal the app registers (`test_every_modal_is_generated` keeps this complete).
FORMS = [
    Form("session_log", "veteran", _slash("veteran", "log"), LOG),
    Form(
        "mentor.optin",
        "veteran",
        _slash("veteran", "optin", setup="none"),
        {"Expertise": ["Renewals"], "Capacity": "2"},
    ),
    Form(
        "mentor.teach",
        "new_hire",
        _slash("new_hire", "teach", setup="none"),
        {"Topics you can teach": ["CRM hygiene"]},
    ),
    Form("question.ask", "new_hire", _ask, {}),
    Form("question.answer", "veteran", _answer, {"Answer": "Start from last quarter."}),
    Form(
        "skills_self_assess",
        "new_hire",
        _slash("new_hire", "skills", focus_skills=["Renewals", "QBRs & business reviews"]),
        {"Renewals": "2"},
    ),
    Form("progress_note", "veteran", _slash("veteran", "progress"), {"Flag": "At risk"}),
    Form(
        "assignment.create",
        "manager",
        _slash("manager", "assign {veteran} {new_hire}", setup="mentor"),
        {"I confirm the expectations": ["I confirm the expectations"]},
    ),
    Form("assignment.decline", "veteran", _decline, {"Reason": "No capacity"}),
    *[
        Form(
            SECTION_VIEW,
            "admin",
            _settings(section.title),
            {},
            metadata_has=f'"section": "{section.key}"',
        )
        for section in SECTIONS
    ],
    Form(
        "milestone_submit",
        "new_hire",
        _press("new_hire", ids.MILESTONE_SUBMIT, _milestone_id),
        {"Evidence": "Done with Acme."},
    ),
    Form("milestone_changes", "veteran", _changes, {"Feedback": "Add the risk slide."}),
    Form("schedule.propose", "veteran", _slash("veteran", "schedule"), PROPOSE),
    Form("schedule.no_show", "veteran", _no_show, {"What happened": "Newt Newhire couldn't come"}),
    Form("term_edit", "new_hire", _slash("new_hire", "edit"), {}),
    Form(
        "term_extend",
        "new_hire",
        _press("new_hire", ids.EXTEND, _assignment_id),
        {"New end date": "2027-03-09"},
    ),
    Form(
        "term_complete_for_pair",
        "manager",
        _press("manager", ids.COMPLETE_FOR_PAIR, _assignment_id),
        {"Completion notes": "Newt is fully ramped."},
    ),
    Form(
        "completion_feedback",
        "new_hire",
        _slash("new_hire", "complete"),
        {"Feedback": "Good.", "Rating": "4"},
    ),
    Form(
        "milestone_template.edit",
        "admin",
        _press("admin", ids.TEMPLATE_EDIT, lambda _scene: ""),
        {"Name": "Joined a pod", "Target (days from hire)": "7"},
    ),
    Form(
        "curriculum.week",
        "admin",
        _press("admin", ids.CURRICULUM_EDIT, lambda _scene: ""),
        {"Week": "1", "Topics": "Product tour"},
    ),
    Form("curriculum.resource", "veteran", _slash("veteran", "resources"), {"Title": "QBR deck"}),
    Form(
        "circle.open",
        "veteran",
        _slash("veteran", "circles new", setup="mentor"),
        {"Name": "Renewals clinic", "Topic": "Renewals", "Seats": "4"},
    ),
    Form(
        "circle.log_session",
        "veteran",
        _press("veteran", ids.CIRCLE_LOG, _circle_id),
        {"Duration (minutes)": "45", "Attended": ["Newt Newhire"]},
    ),
    Form(
        "circle.close",
        "veteran",
        _press("veteran", ids.CIRCLE_CLOSE, _circle_id),
        {"A word to the members": "Thanks all."},
    ),
    Form(
        "completion_cancel",
        "manager",
        _slash("manager", "cancel {new_hire}"),
        {"Reason": "Newt moved to the Sales team."},
    ),
]


class _Recorder:
    """Stands in for Bolt's App to learn which view callback ids the app registers."""

    def __init__(self) -> None:
        self.views: set[str] = set()

    def view(self, callback_id: str) -> Callable[[Any], Any]:
        self.views.add(callback_id)
        return lambda listener: listener

    def __getattr__(self, name: str) -> Callable[..., Callable[[Any], Any]]:
        return lambda *args, **kwargs: lambda listener: listener


def registered_views() -> set[str]:
    """The callback id of every modal submission the app listens for."""
    recorder = _Recorder()
    app: App = recorder  # type: ignore[assignment]
    for module in bot_app.LISTENER_MODULES:
        module.register(app)
    return recorder.views - {"notice"}
