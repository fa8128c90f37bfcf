"""Cohort matching: every new hire without a mentor matched at once for the best total
score under every mentor's capacity, shown against greedy, approved with one click."""

from __future__ import annotations

import itertools
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.services import cohort_solver
from models import Assignment, MatchProposal, SkillAssessment
from tests.factories import make_mentor
from tests.flows import assign


def _cohort(db, world, clock):  # type: ignore[no-untyped-def]
    """Greedy goes wrong here: Newt (hired first) grabs Vera, leaving Nova with Keiko,
    who covers none of Nova's gaps; the optimum gives Newt to Keiko and Nova to Vera."""
    make_mentor(db, world.veteran, expertise=["Renewals", "Negotiation"], max_mentees=1)
    make_mentor(db, world.tokyo_veteran, expertise=["Renewals"], max_mentees=1)
    db.add_all(
        [
            SkillAssessment(
                user_id=world.new_hire.user_id, skill="Renewals", rating=1, assessed_at=clock[0]
            ),
            SkillAssessment(
                user_id=world.tokyo_hire.user_id,
                skill="Negotiation",
                rating=1,
                assessed_at=clock[0],
            ),
        ]
    )
    db.commit()


def test_admin_sees_the_optimal_proposal_and_approves_it_with_one_click(
    slack, world, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _cohort(db, world, clock)
    proposal = slack.mentor(world.admin, "match-cohort")
    text = proposal.all_text
    assert "COHORT MATCHING PROPOSAL" in text
    assert "2 of 2 new hires without a mentor matched" in text  # Jun (100 days) is past the window
    assert "Newt Newhire → Keiko Tanaka · 65/100" in text
    assert "Nova Fresh → Vera Veteran · 63/100" in text
    assert "Total score 128.3" in text
    assert "greedy) reaches 118.3 for 2 hires (+10.0)" in text
    assert "covers 1 of 1 skill gaps (Negotiation)" in text  # each pair's factors
    assert "confirms the program's expectations" in text

    slack.click(world.admin, "Approve", message=proposal)
    db.expire_all()
    pairs = {
        (a.mentee.name, a.mentor.user.name, a.status, a.assigned_by_user_id)
        for a in db.scalars(select(Assignment))
    }
    assert pairs == {
        ("Newt Newhire", "Keiko Tanaka", "pending", world.admin.user_id),
        ("Nova Fresh", "Vera Veteran", "pending", world.admin.user_id),
    }
    assert db.scalar(select(MatchProposal.status)) == "approved"
    assert "asks you to mentor *Nova Fresh*" in slack.last_dm(world.veteran).all_text
    assert "asks you to mentor *Newt Newhire*" in slack.last_dm(world.tokyo_veteran).all_text
    approved = slack.fake.find_message(proposal.channel, proposal.ts)
    assert "Approved: 2 mentors asked" in approved.all_text
    assert "[Approve]" not in approved.rendered

    # A second click (or Slack's retry of the first) creates nothing more.
    proposal_id = str(db.scalar(select(MatchProposal.id)))
    slack.post_payload(_approve_payload(slack, world, proposal, proposal_id), retry_num=1)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Assignment)) == 2
    assert "already approved" in slack.last_ephemeral(world.admin).text


def _approve_payload(slack, world, proposal, proposal_id):  # type: ignore[no-untyped-def]
    """The block_actions payload of clicking Approve in `proposal` again."""
    payload = slack._base_action(world.admin.id, proposal, "message")
    payload["actions"] = [
        {"type": "button", "action_id": "cohort.approve", "block_id": "", "value": proposal_id}
    ]
    return payload


def test_since_widens_the_cohort_and_bad_dates_are_explained(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    _cohort(db, world, clock)
    since = (clock[0] - timedelta(days=120)).date()
    text = slack.mentor(world.admin, f"match-cohort since {since}").all_text
    assert "2 of 3 new hires without a mentor matched" in text
    assert "No mentor with a free slot for: Jun Ior" in text
    bad = slack.mentor(world.admin, "match-cohort since yesterday")
    assert "'since yesterday' is not a date" in bad.text
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(MatchProposal)) == 1


def test_only_admins_match_a_cohort(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    _cohort(db, world, clock)
    reply = slack.mentor(world.manager, "match-cohort")
    assert "Only program admins can do that" in reply.text
    db.expire_all()
    assert db.scalar(select(MatchProposal)) is None


def test_approval_skips_a_hire_who_got_a_mentor_meanwhile(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    _cohort(db, world, clock)
    proposal = slack.mentor(world.admin, "match-cohort")
    # Meanwhile Max asks Omar to mentor Newt himself.
    make_mentor(db, world.londoner)
    db.commit()
    assert assign(slack, world.manager, world.londoner, world.new_hire).ok
    slack.click(world.admin, "Approve", message=proposal)
    approved = slack.fake.find_message(proposal.channel, proposal.ts)
    assert "Approved: 1 mentor asked" in approved.all_text
    assert "Newt Newhire: has a mentor or a request waiting by now" in approved.all_text
    db.expire_all()
    mentors_of_newt = db.scalars(
        select(Assignment).where(Assignment.mentee_user_id == world.new_hire.user_id)
    ).all()
    assert [a.mentor.user.name for a in mentors_of_newt] == ["Omar Okafor"]


def test_cli_prints_the_proposal_and_sends_it_to_the_admins(
    slack, world, db, clock, settings, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    _cohort(db, world, clock)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", settings.slack_api_url)
    monkeypatch.setenv("MENTORBOT_ADMINS", "UADMIN")
    now = clock[0].isoformat()
    assert main(["match-cohort", "--since", "2026-01-01", "--now", now]) == 0
    out = capsys.readouterr().out
    assert "Newt Newhire → " in out and "Nova Fresh → " in out
    assert "the best possible under every mentor's capacity" in out
    assert "Sent to the program admins for approval in Slack: UADMIN" in out
    assert "[Approve]" in slack.last_dm(world.admin).rendered
    slack.click(world.admin, "Approve", message=slack.last_dm(world.admin))
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Assignment)) == 2


def test_cli_refuses_a_bad_date(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_:
        main(["match-cohort", "--since", "yesterday"])
    assert exit_.value.code == 2
    assert "'yesterday' is not a date like 2026-09-01" in capsys.readouterr().err


@pytest.mark.parametrize("seed", range(30))
def test_the_solver_finds_the_best_total_under_capacity(seed: int) -> None:
    """Against brute force on small random instances, with ruled-out pairs."""
    rng = np.random.default_rng(seed)
    hires, mentors = int(rng.integers(1, 5)), int(rng.integers(1, 4))
    total = rng.uniform(0, 100, size=(hires, mentors)).round(1)
    total[rng.random(size=total.shape) < 0.2] = -np.inf
    free = rng.integers(0, 3, size=mentors)

    chosen = cohort_solver.optimal_assignment(total, free)
    assert all(np.isfinite(total[i, j]) for i, j in chosen.items())
    assert all(list(chosen.values()).count(j) <= free[j] for j in range(mentors))
    best = _brute_force(total, free)
    assert sum(total[i, j] for i, j in chosen.items()) == pytest.approx(best)
    greedy = cohort_solver.greedy_assignment(total, free)
    assert sum(total[i, j] for i, j in greedy.items()) <= best + 1e-9


def _brute_force(total: np.ndarray, free: np.ndarray) -> float:
    hires, mentors = total.shape
    best = 0.0
    for choice in itertools.product([None, *range(mentors)], repeat=hires):
        used = [choice.count(j) for j in range(mentors)]
        if any(used[j] > free[j] for j in range(mentors)):
            continue
        if any(j is not None and not np.isfinite(total[i, j]) for i, j in enumerate(choice)):
            continue
        best = max(best, sum(total[i, j] for i, j in enumerate(choice) if j is not None))
    return best
