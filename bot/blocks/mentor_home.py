"""Block Kit for a mentor's App Home section: their profile at a glance, requests
waiting for an answer, active mentees, open trainings; and the invitation to opt in."""

from __future__ import annotations

from bot.blocks import dates, kit
from bot.blocks.actions import ACCEPT, DECLINE, OPTIN_OPEN, TRAINING_DONE, WAITING_ALL
from bot.blocks.mentors import capacity_line, certification_line, status_line
from bot.services.mentor_home import MentorHome, WaitingRequest

# Each App Home list is cut to a few rows and names or counts the rest, so that the
# busiest person's Home (every role at once) stays within Slack's 100 blocks.
HOME_WAITING_SHOWN = 8  # requests answered right on the Home tab; the rest in a modal
HOME_TRAININGS_SHOWN = 3  # open trainings with Mark done; the rest are named


def mentor_home_section(home: MentorHome, viewer_tz: str | None) -> list[kit.Block]:
    """Profile, capacity, requests waiting for an answer, active mentees, open trainings.
    A reverse-only teacher sees their topics instead, and no mentor's trainings."""
    p = home.profile
    topics = kit.escape(", ".join(p.expertise)) or "—"
    blocks: list[kit.Block] = (
        [
            kit.header("Your reverse mentoring"),
            kit.fields(
                "*Status*\nTeaches in reverse mentorships only (no tenure rule)",
                f"*Capacity*\n{capacity_line(p)}",
                f"*Topics you teach*\n{topics}",
            ),
            kit.context("Change your topics with `/mentor teach`."),
        ]
        if home.reverse_only
        else [
            kit.header("Your mentoring"),
            kit.fields(
                f"*Status*\n{status_line(p, viewer_tz)}",
                f"*Capacity*\n{capacity_line(p)}",
                f"*Expertise*\n{topics}",
                f"*Certification*\n{certification_line(p, viewer_tz)}",
            ),
        ]
    )
    if home.waiting:
        blocks.append(kit.section("*Requests waiting for your answer*"))
        # Two blocks a request: a long list would push the Home past Slack's 100 blocks,
        # so the oldest few are answered here and the rest are one click away.
        for w in home.waiting[:HOME_WAITING_SHOWN]:
            blocks.append(kit.section(waiting_line(w, viewer_tz)))
            blocks.append(
                kit.actions(
                    kit.button("Accept", ACCEPT, str(w.assignment_id), style="primary"),
                    kit.button("Decline", DECLINE, str(w.assignment_id)),
                )
            )
        more = len(home.waiting) - HOME_WAITING_SHOWN
        if more > 0:
            blocks.append(
                kit.section(
                    f"…and {more} more waiting.",
                    accessory=kit.button(f"See all {len(home.waiting)} requests", WAITING_ALL),
                )
            )
    else:
        blocks.append(kit.section("*Requests waiting for your answer*\nNone right now."))
    mentee_lines = [
        f"• *{kit.escape(m.mentee_name)}* since {dates.day(m.start_date)}, {m.cadence} check-ins"
        for m in home.mentees
    ]
    blocks.append(
        kit.section(
            "*Active mentees*\n" + ("\n".join(mentee_lines) if mentee_lines else "None yet.")
        )
    )
    if home.reverse_only:
        return blocks  # the opt-in (below, once eligible) makes them a mentor
    if p.open_trainings and not p.is_certified:  # once certified they no longer gate anything
        blocks.append(kit.section("*Open trainings*"))
        for training in p.open_trainings[:HOME_TRAININGS_SHOWN]:
            blocks.append(
                kit.section(
                    f":white_square: {kit.escape(training.name)}",
                    accessory=kit.button("Mark done", TRAINING_DONE, training.key),
                )
            )
        more = p.open_trainings[HOME_TRAININGS_SHOWN:]
        if more:
            blocks.append(
                kit.left_out([t.name for t in more], "trainings", "`/mentor trainings` lists all")
            )
    blocks.append(kit.actions(kit.button("Edit profile", OPTIN_OPEN)))
    return blocks


def waiting_line(w: WaitingRequest, viewer_tz: str | None) -> str:
    asked = f", asked by {kit.escape(w.requested_by)}" if w.requested_by else ""
    return f"• *{kit.escape(w.mentee_name)}*{asked} on {dates.local_day(w.requested_at, viewer_tz)}"


def waiting_modal(waiting: list[WaitingRequest], viewer_tz: str | None) -> kit.Block:
    """Every request waiting for the mentor, oldest first; each is answered from its DM
    or, as the list shortens, from the Home tab."""
    lines = [waiting_line(w, viewer_tz) for w in waiting]
    blocks = [
        kit.context("Answer each with Accept or Decline in its DM, or on your Home tab."),
        *kit.line_sections(lines, most=kit.MAX_BLOCKS_VIEW - 1),
    ]
    if not lines:
        blocks.append(kit.section("No requests are waiting for your answer."))
    return kit.modal(
        "Waiting requests", blocks, callback_id="mentor_waiting", submit=None, close="Close"
    )


def become_mentor_section() -> list[kit.Block]:
    """For someone who may mentor but hasn't opted in."""
    return [
        kit.section(
            "*Mentor a new hire?* You meet the program's criteria. Share your expertise "
            "and choose how many mentees you can take.",
            accessory=kit.button("Become a mentor", OPTIN_OPEN, style="primary"),
        )
    ]
