"""Block Kit for the mentor program: the opt-in modal, profiles, trainings and the
messages around opt-out, pause and certification (the App Home section is in
mentor_home.py)."""

from __future__ import annotations

import json

from bot.blocks import dates, kit
from bot.blocks.actions import (
    CERTIFY,
    PAUSE_DECLINE_WAITING,
    PAUSE_KEEP_WAITING,
    TRAINING_DONE,
)
from bot.services.mentor_optin import OptinForm
from bot.services.mentor_profiles import MentorProfile, ProfileView
from bot.services.mentor_trainings import TrainingsView
from bot.services.mentors import (
    AVAILABLE,
    AWAITING_CERTIFICATION,
    OPTED_OUT,
    PAUSED,
)
from bot.services.program import Training
from bot.services.time_off import AutoDeclined, OptOutResult, PauseResult

OPTIN_VIEW = "mentor.optin"


# -- opt-in ---------------------------------------------------------------------------------------


def _capacity_lowered(form: OptinForm) -> list[kit.Block]:
    if not form.capacity_above_max:
        return []
    return [
        kit.context(
            f"Your capacity of {form.capacity_above_max} is above the program's maximum of "
            f"{form.max_capacity} now: saving sets {form.capacity}, or less if you choose."
        )
    ]


def optin_modal(form: OptinForm, timezone: str | None) -> kit.Block:
    """Expertise, capacity and availability; the timezone comes from Slack and is shown."""
    options = [kit.option(skill, skill) for skill in form.skills]
    tz_line = (
        f"Your timezone, from your Slack profile: *{timezone}*"
        if timezone
        else "Slack has no timezone for you yet: set it in your Slack profile so "
        "mentees are matched in hours that suit you."
    )
    blocks = [
        kit.section(
            "Update what mentees and managers see about you."
            if form.is_update
            else "Mentor a new hire through their first months: share what you know, "
            "meet at an agreed cadence, and watch them ramp."
        ),
        kit.context(tz_line),
        kit.input_block(
            "Expertise",
            "expertise",
            kit.multi_static_select("expertise", options, initial=form.expertise),
            hint="What you can teach. Matching compares it with what new hires need.",
        ),
        *_capacity_lowered(form),
        kit.input_block(
            "Capacity",
            "capacity",
            kit.number_input(
                "capacity", initial=form.capacity, min_value=1, max_value=form.max_capacity
            ),
            hint=f"How many mentees at once, 1 to {form.max_capacity}.",
        ),
        kit.input_block(
            "Availability",
            "availability",
            kit.text_input(
                "availability",
                initial=form.availability,
                multiline=True,
                placeholder="e.g. Tue/Thu afternoons; not in the last week of a quarter",
                max_length=500,
            ),
            optional=True,
        ),
    ]
    if form.needs_certification:
        blocks.append(
            kit.context(
                "The program asks mentors to be certified before they are matched. "
                + _trainings_hint(form.open_trainings)
            )
        )
    return kit.modal(
        "Your mentor profile" if form.is_update else "Become a mentor",
        blocks,
        callback_id=OPTIN_VIEW,
        submit="Save",
        private_metadata=json.dumps({"tz": timezone}),
    )


def optin_timezone(view: dict[str, object]) -> str | None:
    """The Slack timezone the opt-in modal was opened with."""
    try:
        value = json.loads(str(view.get("private_metadata") or "{}")).get("tz")
    except (ValueError, AttributeError):
        return None
    return str(value) if value else None


def optin_saved(created: bool, profile: MentorProfile) -> tuple[str, list[kit.Block]]:
    """The confirmation DM after the opt-in modal is saved."""
    text = "You're a mentor now. Thank you!" if created else "Your mentor profile is saved."
    blocks = [kit.section(f":white_check_mark: {text}"), *_profile_body(profile, profile.timezone)]
    if profile.status == AWAITING_CERTIFICATION:
        blocks.append(
            kit.section(
                "You'll be matched with new hires once you're certified. "
                + _trainings_hint(profile.open_trainings)
            )
        )
    return text, blocks


def _trainings_hint(open_trainings: list[Training]) -> str:
    names = kit.escape(", ".join(t.name for t in open_trainings))
    if not names:
        return "A program admin will certify you."
    return f"Finish {names} (`/mentor trainings`), or ask a program admin to certify you."


# -- profiles -------------------------------------------------------------------------------------


def profile_message(view: ProfileView, viewer_tz: str | None) -> tuple[str, list[kit.Block]]:
    """A mentor's profile as its viewer sees it; admins get "Certify" if not certified."""
    p = view.profile
    title = "Your mentor profile" if view.is_self else f"{p.name} — mentor profile"
    blocks: list[kit.Block] = [kit.header(title), *_profile_body(p, viewer_tz)]
    if view.can_certify:
        blocks.append(
            kit.actions(
                kit.button("Certify", CERTIFY, str(p.mentor_id), style="primary"),
                block_id="certify",
            )
        )
    return f"{p.name}: mentor profile", blocks


def _profile_body(p: MentorProfile, viewer_tz: str | None) -> list[kit.Block]:
    rating = (
        f"{p.average_rating:.1f}/5 from {p.ratings_count} rating"
        + ("s" if p.ratings_count != 1 else "")
        if p.average_rating is not None
        else "No ratings yet"
    )
    blocks: list[kit.Block] = [
        kit.fields(
            f"*Expertise*\n{kit.escape(', '.join(p.expertise)) or '—'}",
            f"*Capacity*\n{capacity_line(p)}",
            f"*Status*\n{status_line(p, viewer_tz)}",
            f"*Certification*\n{certification_line(p, viewer_tz)}",
            f"*Mentees to date*\n{p.mentees_to_date}",
            f"*Average rating*\n{rating}",
            f"*Availability*\n{kit.escape(p.availability) if p.availability else '—'}",
            f"*Timezone*\n{p.timezone or 'unknown'}",
        )
    ]
    badge_lines = [f"{b.emoji} *{b.name}* — {b.reason}" for b in p.badges]
    blocks.append(
        kit.section("*Badges*\n" + ("\n".join(badge_lines) if badge_lines else "None yet"))
    )
    return blocks


def capacity_line(p: MentorProfile) -> str:
    """ "1 of 2 mentees · 1 place free", and the topic circles hosted (which take no
    1:1 place): " · hosts 1 circle (3 members)"."""
    free = p.remaining
    line = (
        f"{p.current_mentees} of {p.max_mentees} mentees · "
        f"{free} place{'s' if free != 1 else ''} free"
    )
    if p.circles_hosted:
        plural = "s" if p.circles_hosted != 1 else ""
        line += f" · hosts {p.circles_hosted} circle{plural} ({p.circle_members} members)"
    return line


def status_line(p: MentorProfile, viewer_tz: str | None) -> str:
    if p.status == OPTED_OUT and p.opted_out_at is not None:
        return f"Not taking new mentees (opted out on {dates.local_day(p.opted_out_at, viewer_tz)})"
    if p.status == AWAITING_CERTIFICATION:
        return "Waiting for certification before being matched"
    if p.status == PAUSED and p.paused_until is not None:
        return f"Paused until {dates.day(p.paused_until)}"
    if p.status == AVAILABLE and p.remaining == 0:
        return "Full: every place is taken"
    return "Available for new mentees"


def certification_line(p: MentorProfile, viewer_tz: str | None) -> str:
    if p.is_certified and p.certified_at is not None:
        return f"Certified on {dates.local_day(p.certified_at, viewer_tz)}"
    if p.is_certified:
        return "Certified"
    if p.open_trainings:
        return "Not certified yet · open: " + kit.escape(
            ", ".join(t.name for t in p.open_trainings)
        )
    return "Not certified yet"


# -- opt-out and pause ---------------------------------------------------------------------------


def optout_reply(result: OptOutResult, viewer_tz: str | None) -> str:
    if result.already:
        return (
            f"You opted out on {dates.local_day(result.opted_out_at, viewer_tz)}; "
            "nothing more to do. "
            "`/mentor optin` when you'd like to mentor again."
        )
    parts = ["You've opted out: you won't be offered new mentees."]
    if result.active_mentees:
        plural = "s continue" if result.active_mentees != 1 else " continues"
        parts.append(f"Your {result.active_mentees} active mentorship{plural} as agreed.")
    if result.declined:
        count = len(result.declined)
        parts.append(
            f"I declined {count} request{'s' if count != 1 else ''} that waited for your "
            "answer and told the managers why."
        )
    parts.append("`/mentor optin` brings you back any time.")
    return " ".join(parts)


def declined_for_manager(item: AutoDeclined, mentor_name: str) -> str:
    """The DM to a manager whose request was declined by the mentor's opt-out."""
    return (
        f"{kit.escape(mentor_name)} has stopped mentoring, so your request for them to mentor "
        f"*{kit.escape(item.mentee_name)}* was declined automatically. "
        f"Pick another mentor with `/mentor match <@{item.mentee_slack_user_id}>`."
    )


def pause_reply(result: PauseResult) -> str:
    if result.paused_until is None or result.back_on is None:
        return "You're not paused: you can be matched with new hires."
    return (
        f"Paused: you won't be offered new mentees until {dates.day(result.paused_until)} "
        f"(inclusive). From {dates.day(result.back_on)} you're available again by yourself; "
        "your current mentorships carry on. `/mentor pause off` ends the pause early."
    )


def pause_message(result: PauseResult) -> tuple[str, list[kit.Block] | None]:
    """The pause reply; with requests still waiting, the question what to do with them."""
    text = pause_reply(result)
    if result.paused_until is None or not result.waiting:
        return text, None
    requests = "1 request is" if result.waiting == 1 else f"{result.waiting} requests are"
    return text, [
        kit.section(text),
        kit.section(
            f":hourglass_flowing_sand: {requests} still waiting for your answer. Decline them "
            "(each asker is told you're paused and gets the next suggestion), or keep them "
            "to answer yourself?"
        ),
        kit.actions(
            kit.button("Decline them", PAUSE_DECLINE_WAITING, style="primary"),
            kit.button("Keep them", PAUSE_KEEP_WAITING),
        ),
    ]


def waiting_declined(count: int) -> str:
    if not count:
        return "No request was waiting any more: nothing to decline."
    requests = "1 request" if count == 1 else f"{count} requests"
    return f"Declined {requests}: each asker is told you're paused and gets the next suggestion."


WAITING_KEPT = "Kept: the requests still wait for your answer (Accept or Decline on each)."


# -- trainings and certification ----------------------------------------------------------------


def trainings_message(view: TrainingsView, viewer_tz: str | None) -> tuple[str, list[kit.Block]]:
    blocks: list[kit.Block] = [kit.header("Mentor trainings")]
    if not view.trainings:
        blocks.append(kit.section("The program has no required trainings right now."))
    blocks.extend(_training_rows(view, viewer_tz))
    if view.is_certified and view.certified_at is not None:
        blocks.append(
            kit.context(
                f":mortar_board: Certified on {dates.local_day(view.certified_at, viewer_tz)}"
            )
        )
    else:
        blocks.append(kit.context("When every training is done you're certified automatically."))
    return "Mentor trainings", blocks


def _training_rows(view: TrainingsView, viewer_tz: str | None) -> list[kit.Block]:
    rows: list[kit.Block] = []
    for status in view.trainings:
        name = kit.escape(status.training.name)
        if status.done_at is not None:
            done = dates.local_day(status.done_at, viewer_tz)
            lms = " (recorded by the LMS)" if status.system_tracked else ""
            rows.append(kit.section(f":white_check_mark: *{name}* — done {done}{lms}"))
        else:
            rows.append(
                kit.section(
                    f":white_square: *{name}*",
                    accessory=kit.button("Mark done", TRAINING_DONE, status.training.key),
                )
            )
    return rows


def certified_dm(activated: bool) -> str:
    text = ":mortar_board: You're a certified mentor now. Congratulations!"
    if activated:
        text += " You can now be matched with new hires."
    return text
