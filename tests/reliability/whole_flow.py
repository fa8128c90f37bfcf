"""One mentorship from opt-in to completion, step by step, through the real app: the
story the idempotency and audit tests replay (each step is what people do in Slack, or
what the system does on its own, like a reminder sweep)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.blocks.actions import ASK_SHORTCUT, COMPLETE_FOR_PAIR, EXTEND, WAITING_ALL
from bot.runtime import Runtime
from bot.testing.driver import SlackDriver
from bot.testing.fake_chat import Message
from models import Assignment
from tests.flows import CONFIRM, assign
from tests.reminders_support import Sweep, at

QBR = "First QBR run solo"


@dataclass
class Story:
    slack: SlackDriver
    world: Any
    sweep: Sweep
    clock: list[datetime]
    runtime: Runtime

    def later(self, **delta: float) -> None:
        self.clock[0] = self.clock[0] + timedelta(**delta)

    def a_minute_later(self) -> None:
        """Let Slack's rate limits see a minute pass (a person takes that long)."""
        self.slack.fake.advance(60)

    def assignment_of(self, mentee: Any) -> str:
        """The id of `mentee`'s newest mentorship (a button's value)."""
        with self.runtime.db() as db:
            return str(
                db.scalar(
                    sa.select(Assignment.id)
                    .where(Assignment.mentee_user_id == mentee.user_id)
                    .order_by(Assignment.created_at.desc())
                    .limit(1)
                )
            )


def opt_in(s: Story) -> None:
    s.slack.open_home(s.world.veteran)
    s.slack.click(s.world.veteran, "Become a mentor", home=True)
    sent = s.slack.submit(s.world.veteran, {"Expertise": ["Renewals"], "Capacity": "2"})
    assert sent.ok, sent.errors


def training_and_certification(s: Story) -> None:
    listing = s.slack.mentor(s.world.veteran, "trainings")
    s.slack.click(s.world.veteran, "Mark done", message=listing, near="Mentoring 101")
    profile = s.slack.mentor(s.world.admin, f"profile {s.world.veteran.mention}")
    s.slack.click(s.world.admin, "Certify", message=profile)


def a_new_hire_joins(s: Story) -> None:
    joined = {"type": "team_join", "user": {"id": s.world.tokyo_hire.id, "name": "nova"}}
    assert s.slack.event(joined).status == 200


def match_and_assign(s: Story) -> None:
    s.slack.mentor(s.world.manager, f"match {s.world.new_hire.mention} focus: renewals")
    s.slack.click(s.world.manager, "Assign", near=s.world.veteran.name)
    sent = s.slack.submit(s.world.manager, {**CONFIRM, "Goals": "Run a QBR solo"})
    assert sent.ok, sent.errors


def accept(s: Story) -> None:
    s.slack.click(s.world.veteran, "Accept", message=s.slack.last_dm(s.world.veteran))


def decline(s: Story) -> None:
    """A second request, for Nova: Vera declines it with a reason."""
    assert assign(s.slack, s.world.manager, s.world.veteran, s.world.tokyo_hire).ok
    s.slack.click(s.world.veteran, "Decline", message=s.slack.last_dm(s.world.veteran))
    sent = s.slack.submit(s.world.veteran, {"Reason": "Other", "Details": "Full this month."})
    assert sent.ok, sent.errors


def pause_with_requests_waiting(s: Story) -> None:
    assert assign(s.slack, s.world.manager, s.world.veteran, s.world.tokyo_hire).ok
    s.slack.press(s.world.veteran, WAITING_ALL, "")
    reply = s.slack.mentor(s.world.veteran, "pause until 2026-12-31")
    s.slack.click(s.world.veteran, "Keep them", message=reply)
    s.slack.mentor(s.world.veteran, "pause off")
    reply = s.slack.mentor(s.world.veteran, "pause until 2026-12-31")
    s.slack.click(s.world.veteran, "Decline them", message=reply)
    s.slack.mentor(s.world.veteran, "pause off")


def log_session(s: Story) -> None:
    s.later(hours=2)
    s.slack.open_home(s.world.veteran)
    s.slack.click(s.world.veteran, "Log session", home=True, near=s.world.new_hire.name)
    sent = s.slack.submit(
        s.world.veteran,
        {
            "Topics": ["Renewals"],
            "Summary": "Walked through the Acme renewal.",
            "Action items": "mentee: Draft the QBR deck",
        },
    )
    assert sent.ok, sent.errors


def rate_skills(s: Story) -> None:
    notice = [m for m in s.slack.dms(s.world.new_hire) if "Rate my skills" in m.rendered][-1]
    s.slack.click(s.world.new_hire, "Rate my skills", message=notice)
    sent = s.slack.submit(s.world.new_hire, {"Renewals": "2"})
    assert sent.ok, sent.errors


def tick_action_item(s: Story) -> None:
    s.slack.open_home(s.world.new_hire)
    s.slack.click(s.world.new_hire, "Done", home=True, near="Draft the QBR deck")


def _times(day: str, at: str) -> dict[str, str]:
    return {"Date 1": day, "Time 1": at, "Duration 1 (minutes)": "45"}


def schedule(s: Story) -> None:
    """Newt proposes, Vera proposes another time, Newt confirms, Vera reschedules, Newt
    confirms; after it, Vera says it didn't happen. Then one more, held and logged,
    and one cancelled."""
    newt, vera = s.world.new_hire, s.world.veteran
    notice = [m for m in s.slack.dms(newt) if "Schedule next session" in m.rendered][-1]
    s.slack.click(newt, "Schedule next session", message=notice)
    assert s.slack.submit(newt, _times("2026-11-19", "10:00")).ok
    s.slack.click(vera, "Propose another", message=s.slack.last_dm(vera))
    assert s.slack.submit(vera, _times("2026-11-19", "12:00")).ok
    s.slack.click(newt, "Confirm", message=s.slack.last_dm(newt))
    s.a_minute_later()
    s.slack.click(vera, "Reschedule", message=s.slack.last_dm(vera))
    assert s.slack.submit(vera, _times("2026-11-20", "12:00")).ok
    s.slack.click(newt, "Confirm", message=s.slack.last_dm(newt))
    s.clock[0] = at("2026-11-20T19:00")
    s.sweep(s.clock[0])
    how = [m for m in s.slack.dms(vera) if "How did" in m.all_text][-1]
    s.slack.click(vera, "It didn't happen", message=how)
    assert s.slack.submit(vera, {"What happened": "Newt Newhire couldn't come"}).ok
    s.a_minute_later()

    s.slack.slash(vera, "/mentor", "schedule")
    assert s.slack.submit(vera, _times("2026-11-23", "12:00")).ok
    s.slack.click(newt, "Confirm", message=s.slack.last_dm(newt))
    s.clock[0] = at("2026-11-23T19:00")
    s.sweep(s.clock[0])
    how = [m for m in s.slack.dms(vera) if "How did" in m.all_text][-1]
    s.slack.click(vera, "Log session", message=how)
    assert s.slack.submit(vera, {"Topics": ["Renewals"], "Session quality": "5"}).ok
    s.a_minute_later()

    s.slack.slash(vera, "/mentor", "schedule")
    assert s.slack.submit(vera, _times("2026-11-25", "12:00")).ok
    s.slack.click(newt, "Confirm", message=s.slack.last_dm(newt))
    s.slack.click(vera, "Cancel", message=s.slack.last_dm(vera))


def questions(s: Story) -> None:
    newt, vera = s.world.new_hire, s.world.veteran
    s.slack.mentor(newt, "ask How do I open a QBR?")
    s.slack.click(vera, "Answer", message=s.slack.last_dm(vera))
    assert s.slack.submit(vera, {"Answer": "Start from last quarter's numbers."}).ok
    s.slack.mentor(newt, "ask Should I bring the renewal forecast?")
    s.slack.click(vera, "Talk in our next session", message=s.slack.last_dm(vera))
    message = Message("CGENERAL", "1763391600.000100", "Is the renewal forecast in Salesforce?")
    s.slack.shortcut(newt, ASK_SHORTCUT, message)
    assert s.slack.submit(newt).ok


def progress(s: Story) -> None:
    vera = s.world.veteran
    s.slack.slash(vera, "/mentor", f"progress {s.world.new_hire.mention}")
    assert s.slack.submit(vera, {"Flag": "At risk", "Note": "Rough week."}).ok
    s.slack.click(vera, "Escalate", message=s.slack.last_dm(vera))
    s.slack.open_home(vera)
    s.slack.click(vera, "Progress", home=True, near=s.world.new_hire.name)
    assert s.slack.submit(vera, {"Flag": "On track", "Note": "Much better."}).ok


def remind(s: Story) -> None:
    s.later(days=8)
    s.sweep(s.clock[0])
    nudges = [m for m in s.slack.dms(s.world.new_hire) if "Snooze a week" in m.rendered]
    assert nudges, s.slack.describe(s.world.new_hire)
    s.slack.click(s.world.new_hire, "Snooze a week", message=nudges[-1])


def milestone(s: Story) -> None:
    newt, vera = s.world.new_hire, s.world.veteran
    s.slack.open_home(newt)
    s.slack.click(newt, "Submit", home=True, near=QBR)
    assert s.slack.submit(newt, {"Evidence": "Ran it with Acme on Monday."}).ok
    s.slack.click(vera, "Request changes", message=s.slack.last_dm(vera))
    assert s.slack.submit(vera, {"Feedback": "Add the renewal risk slide."}).ok
    s.slack.open_home(newt)
    s.slack.click(newt, "Submit", home=True, near=QBR)
    sent = s.slack.submit(newt, {"Evidence": "https://drive.example.com/acme-qbr"})
    assert sent.ok, sent.errors
    request = [m for m in s.slack.dms(vera) if QBR in m.all_text][-1]
    s.slack.click(vera, "Approve", message=request)


def term(s: Story) -> None:
    """The manager edits the mentorship; Newt extends it."""
    s.slack.slash(s.world.manager, "/mentor", f"edit {s.world.new_hire.mention}")
    assert s.slack.submit(s.world.manager, {"Cadence": "Biweekly"}).ok
    s.slack.press(s.world.new_hire, EXTEND, s.assignment_of(s.world.new_hire))
    assert s.slack.submit(s.world.new_hire, {"New end date": "2027-03-31"}).ok


def program_settings_and_curriculum(s: Story) -> None:
    """The admin changes a setting, adds a curriculum week and a ramp milestone template
    (moved up, then retired); Vera shares a resource."""
    admin = s.world.admin
    s.slack.open_home(admin)
    s.slack.click(admin, "Program settings", home=True)
    s.slack.click(admin, "Eligibility")
    assert s.slack.submit(admin, {"Default capacity": "3"}).ok
    s.slack.click(admin, "Add a week", message=s.slack.mentor(admin, "curriculum"))
    assert s.slack.submit(admin, {"Week": "1", "Topics": "Product tour\nMeet the team"}).ok
    s.slack.mentor(admin, "milestones templates")
    s.slack.click(admin, "Add a template")
    assert s.slack.submit(admin, {"Name": "Joined a pod", "Target (days from hire)": "7"}).ok
    listing = s.slack.mentor(admin, "milestones templates")
    s.slack.click(admin, "Move up", near="Joined a pod", message=listing)
    listing = s.slack.mentor(admin, "milestones templates")
    s.slack.click(admin, "Retire", near="Joined a pod", message=listing)
    s.slack.slash(s.world.veteran, "/mentor", "resources")
    sent = s.slack.submit(
        s.world.veteran, {"Title": "QBR deck", "Link": "https://docs.example.com/qbr"}
    )
    assert sent.ok, sent.errors


def topic_circle(s: Story) -> None:
    """Vera opens a topic circle; Newt joins it, then leaves; Jun joins and attends the
    session Vera logs; then Vera closes the circle (Jun is told)."""
    vera = s.world.veteran
    s.slack.slash(vera, "/mentor", "circles new")
    opened = s.slack.submit(vera, {"Name": "Renewals clinic", "Topic": "Renewals", "Seats": "3"})
    assert opened.ok, opened.errors
    s.slack.click(s.world.new_hire, "Join", message=s.slack.mentor(s.world.new_hire, "circles"))
    s.slack.click(s.world.new_hire, "Leave", message=s.slack.mentor(s.world.new_hire, "circles"))
    s.slack.click(s.world.junior, "Join", message=s.slack.mentor(s.world.junior, "circles"))
    s.slack.click(vera, "Log a session", message=s.slack.mentor(vera, "circles"))
    logged = s.slack.submit(vera, {"Attended": ["Jun Ior"]})
    assert logged.ok, logged.errors
    s.slack.click(vera, "Close circle", message=s.slack.mentor(vera, "circles"))
    closed = s.slack.submit(vera, {})
    assert closed.ok, closed.errors
    assert "closed the topic circle" in s.slack.last_dm(s.world.junior).text


def complete(s: Story) -> None:
    s.slack.slash(s.world.new_hire, "/mentor", "complete")
    sent = s.slack.submit(s.world.new_hire, {"Feedback": "Great.", "Rating": "5"})
    assert sent.ok, sent.errors
    s.slack.click(s.world.veteran, "Give feedback", message=s.slack.last_dm(s.world.veteran))
    sent = s.slack.submit(s.world.veteran, {"Feedback": "A joy.", "Rating": "5"})
    assert sent.ok, sent.errors


def cohort_then_cancel_and_complete_for_pair(s: Story) -> None:
    """Keiko becomes a mentor; the admin matches the cohort (Nova, whom Vera declined,
    gets Keiko), Keiko accepts and the manager completes it for the pair; a third
    mentorship, for Jun, is cancelled."""
    keiko = s.world.tokyo_veteran
    s.slack.slash(keiko, "/mentor", "optin")
    assert s.slack.submit(keiko, {"Expertise": ["Renewals"], "Capacity": "2"}).ok
    proposal = s.slack.mentor(s.world.admin, "match-cohort")
    assert "Approve" in proposal.rendered, proposal.all_text
    s.slack.click(s.world.admin, "Approve", message=proposal)
    s.slack.click(keiko, "Accept", message=s.slack.last_dm(keiko))
    s.slack.press(s.world.manager, COMPLETE_FOR_PAIR, s.assignment_of(s.world.tokyo_hire))
    assert s.slack.submit(s.world.manager, {"Completion notes": "Nova is ramped."}).ok
    assert assign(s.slack, s.world.manager, s.world.veteran, s.world.junior).ok
    s.slack.slash(s.world.manager, "/mentor", f"cancel {s.world.junior.mention}")
    assert s.slack.submit(s.world.manager, {"Reason": "Jun moved to Sales."}).ok


def reverse_mentorship(s: Story) -> None:
    """Newt records what he teaches; Max finds him for Omar with the reverse match,
    asks him with "Assign (reverse)", and Newt accepts."""
    s.slack.slash(s.world.new_hire, "/mentor", "teach")
    assert s.slack.submit(s.world.new_hire, {"Topics you can teach": ["CRM hygiene"]}).ok
    found = s.slack.mentor(s.world.manager, f"match {s.world.londoner.mention} reverse CRM")
    s.slack.click(s.world.manager, "Assign (reverse)", near=s.world.new_hire.name, message=found)
    sent = s.slack.submit(s.world.manager, {**CONFIRM, "Goals": "Clean pipeline"})
    assert sent.ok, sent.errors
    s.slack.click(s.world.new_hire, "Accept", message=s.slack.last_dm(s.world.new_hire))


def someone_leaves_and_the_app_is_removed(s: Story) -> None:
    s.slack.fake.deactivate(s.world.londoner.id)
    left = {"type": "user_change", "user": dict(s.slack.fake.users[s.world.londoner.id])}
    assert s.slack.event(left).status == 200
    revoked = {"type": "tokens_revoked", "tokens": {"bot": ["UMENTORBOT"]}}
    assert s.slack.event(revoked).status == 200
    assert s.slack.event({"type": "app_uninstalled"}).status == 200


#: The story in order: (what happens, the step).
STEPS: list[tuple[str, Callable[[Story], None]]] = [
    ("opt-in from the home tab", opt_in),
    ("training and certification", training_and_certification),
    ("a new hire joins", a_new_hire_joins),
    ("match and assign", match_and_assign),
    ("accept", accept),
    ("a request declined", decline),
    ("a pause with requests waiting", pause_with_requests_waiting),
    ("log a session", log_session),
    ("the mentee rates their skills", rate_skills),
    ("tick an action item", tick_action_item),
    ("schedule, reschedule, miss, hold, cancel", schedule),
    ("questions to the mentor", questions),
    ("progress and escalation", progress),
    ("reminder and snooze", remind),
    ("milestone: changes requested, then approved", milestone),
    ("the term edited and extended", term),
    ("program settings and curriculum", program_settings_and_curriculum),
    ("a topic circle joined, left, met and closed", topic_circle),
    ("feedback and completion", complete),
    ("cohort, cancel, completed for the pair", cohort_then_cancel_and_complete_for_pair),
    ("a reverse mentorship from the reverse match", reverse_mentorship),
    ("a leaver, then the app removed", someone_leaves_and_the_app_is_removed),
]
