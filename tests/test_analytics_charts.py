"""Analytics charts (issue 19): the pictures of the figures, drawn from the same report
the text shows, uploaded to Slack with its current file flow and shown beside the
figures; on the command line written to files; honest when there is too little."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from matplotlib.image import imread
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.plaintext import render_blocks
from bot.charts import manager_charts, program_charts
from bot.charts.figures import cohort_chart, ramp_chart
from bot.cli import main
from bot.services import analytics
from bot.services.analytics import GroupStats, RampComparison, RampRow
from bot.testing.fake_files import manifest_bot_scopes
from bot.testing.program_generator import ProgramSpec, generate, load
from tests.factories import make_assignment, make_mentor

NOW = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def generated(db):  # type: ignore[no-untyped-def]
    program_ = generate(ProgramSpec(today=NOW.date()))
    load(db, program_)
    db.commit()
    return program_


def _bars(chart, gid):  # type: ignore[no-untyped-def]
    """The drawn bars of one series, read back from the chart's axes."""
    return [p for ax in chart.figure.axes for p in ax.patches if p.get_gid() == gid]


def _whiskers(chart, gid):  # type: ignore[no-untyped-def]
    """The (from, to) of each whisker of one series, read back from the chart."""
    (lines,) = [c for ax in chart.figure.axes for c in ax.collections if c.get_gid() == gid]
    return [(float(seg[0][0]), float(seg[1][0])) for seg in lines.get_segments()]


# -- a figure and its picture never disagree ---------------------------------------------------
def test_each_chart_plots_exactly_the_report_figures(db, generated) -> None:  # type: ignore[no-untyped-def]
    report = analytics.program_report(db, now=NOW)
    charts = {c.key: c for c in program_charts(report)}
    assert set(charts) == {"ramp", "ramp_by_quarter", "workload", "sessions", "satisfaction"}
    assert all(c.drawn for c in charts.values())

    ramp = charts["ramp"]
    for side in ("mentored", "not_mentored"):
        widths = [bar.get_width() for bar in _bars(ramp, side)]
        assert widths == [getattr(r, side).median_days for r in report.ramp.milestones]
        assert _whiskers(ramp, f"{side}_spread") == [
            (getattr(r, side).p25_days, getattr(r, side).p75_days) for r in report.ramp.milestones
        ]
    legend = [t.get_text() for t in ramp.figure.axes[0].get_legend().get_texts()]
    fully = report.ramp.fully_ramped
    assert legend == [
        f"Mentored hires (n={fully.mentored.hires})",
        f"Other hires (n={fully.not_mentored.hires})",
    ]

    quarters = charts["ramp_by_quarter"].figure.axes[0]
    mentored_line = next(line for line in quarters.get_lines() if line.get_gid() == "mentored")
    finals = [r for r in report.ramp.by_cohort if r.is_final and r.mentored.reached >= 5]
    assert list(mentored_line.get_xdata()) == [r.cohort for r in finals]
    assert list(mentored_line.get_ydata()) == [r.mentored.median_days for r in finals]

    workload = charts["workload"]
    assert [b.get_width() for b in _bars(workload, "active")] == [
        m.active for m in report.workload.busiest
    ]
    assert [b.get_width() for b in _bars(workload, "capacity")] == [
        m.capacity for m in report.workload.busiest
    ]
    spread = [b.get_height() for b in _bars(workload, "spread")]
    w = report.workload
    assert spread == [w.full, w.over_80 - w.full, w.mentors - w.idle - w.over_80, w.idle]

    sessions = charts["sessions"]
    assert [b.get_height() for b in _bars(sessions, "monthly")] == [
        m.sessions for m in report.sessions_by_month
    ]
    assert sum(m.sessions for m in report.sessions_by_month) > 0
    (completion,) = _bars(sessions, "completion")
    assert completion.get_height() == pytest.approx(report.sessions.completion_rate * 100)

    satisfaction = charts["satisfaction"]
    assert [b.get_height() for b in _bars(satisfaction, "Mentee ratings")] == list(
        report.satisfaction.mentee_counts
    )
    assert sum(report.satisfaction.mentee_counts) == report.satisfaction.mentee_ratings
    assert [b.get_height() for b in _bars(satisfaction, "Mentor ratings")] == list(
        report.satisfaction.mentor_counts
    )


# -- in Slack ----------------------------------------------------------------------------------
def test_admin_gets_the_figures_then_the_charts_beside_them_in_a_dm(
    slack, world, db, generated, fake_slack
) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor(world.admin, "analytics")
    assert "Ramp time reduction" in reply.all_text  # the figures, as before

    dm = slack.last_dm(world.admin)
    images = [b for b in dm.blocks if b["type"] == "image"]
    assert len(images) == 5
    uploaded = {f.id: f for f in fake_slack.uploaded(f"D{world.admin.id}")}
    assert {i["slack_file"]["id"] for i in images} == set(uploaded)
    assert all(f.data.startswith(PNG) for f in uploaded.values())
    # Slack's flow: a URL per file, the bytes, one completion into the admin's DM.
    assert len(fake_slack.calls_to("files.getUploadURLExternal")) == 5
    (completion,) = fake_slack.calls_to("files.completeUploadExternal")
    assert completion.args["channel_id"] == f"D{world.admin.id}"
    # Each chart right after the figures it pictures.
    text = render_blocks(dm.blocks)
    assert text.index("Ramp: mentored vs not") < text.index("[image: Days from hire to each")
    assert text.index("[image: Days to Fully ramped by hire quarter") < text.index(
        "Mentor workload"
    )
    assert text.index("Mentor workload") < text.index("[image: Mentor workload")
    assert text.index("Session frequency") < text.index("[image: Sessions per month")
    assert text.index("Sessions attended per month") < text.index("[image: Sessions per month")
    assert text.index("[image: Satisfaction") < text.index("Mentor effectiveness ranking")


def test_manager_gets_only_their_teams_charts(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran)
    make_assignment(
        db, vera, world.new_hire, start=date(2026, 9, 7), assigned_by=world.manager, mentee_rating=5
    )
    load(db, generate(ProgramSpec(today=NOW.date(), hires=60, mentors=6, managers=2)))
    db.commit()

    slack.mentor(world.manager, "analytics")
    dm = slack.last_dm(world.manager)
    images = [b for b in dm.blocks if b["type"] == "image"]
    assert images, dm.all_text
    assert "PROGRAM ANALYTICS" not in dm.all_text and "Hire 0000" not in dm.all_text
    team = analytics.manager_report(db, manager_id=world.manager.user_id, now=clock[0])
    charts = manager_charts(team, 0.9)
    assert [c.key for c in charts] == ["team_ramp", "team_sessions", "team_satisfaction"]
    rating_bars = [b.get_height() for b in _bars(charts[2], "Mentee ratings")]
    assert rating_bars == [0, 0, 0, 0, 1]  # Newt's one rating, none of the other teams'


def test_mentor_gets_their_own_figures_beside_the_programs(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran)
    make_assignment(db, vera, world.new_hire, start=date(2026, 9, 7), mentee_rating=4)
    db.commit()
    slack.mentor(world.veteran, "analytics")
    dm = slack.last_dm(world.veteran)
    assert "YOUR MENTORING" in dm.all_text
    assert "[image: Your mentoring beside the program's]" in render_blocks(dm.blocks)


def test_a_failed_upload_is_told_in_one_line_and_the_figures_stay(
    slack, world, db, generated, fake_slack
) -> None:  # type: ignore[no-untyped-def]
    fake_slack.fail("files.completeUploadExternal", error="internal_error")
    slack.mentor(world.admin, "analytics")
    replies = fake_slack.ephemeral(world.admin.id)
    assert "Ramp time reduction" in replies[-2].all_text
    assert replies[-1].text == (
        "The charts could not be attached (internal_error); the figures above are complete."
    )
    assert not [b for m in slack.dms(world.admin) for b in m.blocks if b["type"] == "image"]


def test_a_chart_that_fails_to_draw_never_loses_the_report(
    slack, world, db, generated, fake_slack, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import bot.charts

    def broken(board):  # type: ignore[no-untyped-def]
        raise RuntimeError("no fonts on this server")

    monkeypatch.setattr(bot.charts, "dashboard_charts", broken)
    slack.mentor(world.admin, "analytics")
    figures, failure = fake_slack.ephemeral(world.admin.id)[-2:]
    assert "Ramp time reduction" in figures.all_text and "Mentor workload" in figures.all_text
    assert failure.text == (
        "The charts could not be attached (RuntimeError); the figures above are complete."
    )
    assert not fake_slack.calls_to("files.getUploadURLExternal")


def test_without_files_write_in_the_manifest_slack_refuses_the_upload(
    slack, world, db, generated, fake_slack
) -> None:  # type: ignore[no-untyped-def]
    assert "files:write" in manifest_bot_scopes()
    fake_slack.scopes = manifest_bot_scopes() - {"files:write"}
    slack.mentor(world.admin, "analytics")
    assert "could not be attached (missing_scope)" in fake_slack.ephemeral(world.admin.id)[-1].text


# -- the fake is as strict as Slack --------------------------------------------------------------
def test_fake_slack_refuses_what_slack_refuses_in_the_upload_flow(fake_slack, slack) -> None:  # type: ignore[no-untyped-def]
    fake_slack.add_user("U1", "Una One")  # DU1 is her DM with the bot
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    started = client.files_getUploadURLExternal(filename="a.png", length=8)
    # Completing before the bytes arrived: there is no file yet.
    with pytest.raises(SlackApiError) as never_arrived:
        client.files_completeUploadExternal(files=[{"id": started["file_id"]}], channel_id="DU1")
    assert never_arrived.value.response["error"] == "file_not_found"
    # An image block may not show a file that isn't complete and shared where it is shown.
    image = {"type": "image", "slack_file": {"id": started["file_id"]}, "alt_text": "a"}
    with pytest.raises(SlackApiError) as unshared:
        client.chat_postMessage(channel="DU1", text="chart", blocks=[image])
    assert unshared.value.response["error"] == "invalid_blocks"
    fake_slack.max_file_bytes = 1000
    with pytest.raises(SlackApiError) as too_big:
        client.files_getUploadURLExternal(filename="big.png", length=1001)
    assert too_big.value.response["error"] == "file_upload_size_restricted"
    done = client.files_upload_v2(content=PNG, filename="b.png", title="B", channel="DU1")
    posted = client.chat_postMessage(
        channel="DU1",
        text="chart",
        blocks=[{**image, "slack_file": {"id": done["files"][0]["id"]}}],
    )
    assert posted["ok"]


# -- the command line ----------------------------------------------------------------------------
def test_cli_writes_the_charts_and_prints_plain_text(
    db, generated, database_url, monkeypatch, capsys, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["analytics", "--now", NOW.isoformat(), "--charts", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    paths = [Path(line) for line in out.splitlines() if line.endswith(".png")]
    report = "\n".join(line for line in out.splitlines() if not line.endswith(".png"))
    assert "Ramp time reduction" in report and ("[met]" in report or "[!]" in report)
    for markup in ("*", ":hourglass:", ":white_check_mark:", ":warning:", "```", "_"):
        assert markup not in report, markup
    assert {p.name for p in paths} == {
        "ramp.png",
        "ramp_by_quarter.png",
        "workload.png",
        "sessions.png",
        "satisfaction.png",
    }
    for path in paths:
        assert path.read_bytes().startswith(PNG)
        assert imread(path).shape[:2] == (450, 800)

    assert main(["analytics", "--now", NOW.isoformat(), "--charts", str(tmp_path / "svg"),
                 "--format", "svg"]) == 0  # fmt: skip
    svg = tmp_path / "svg" / "ramp.svg"
    assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in svg.read_text()


# -- too little, or absurd: a chart that says so ---------------------------------------------------
def test_empty_program_charts_say_not_enough_data_yet(db) -> None:  # type: ignore[no-untyped-def]
    charts = program_charts(analytics.program_report(db, now=NOW))
    assert not any(c.drawn for c in charts)
    for chart in charts:
        texts = [t.get_text() for ax in chart.figure.axes for t in ax.texts]
        assert any(t.startswith("Not enough data yet") for t in texts), chart.key
        assert chart.render("png").startswith(PNG)


def _stats(hires: int, reached: int, median: float | None) -> GroupStats:
    return GroupStats(hires, reached, median, median)


def test_absurd_ramp_and_a_quarter_of_one_hire_are_said_not_misdrawn() -> None:
    five_years = RampRow(
        "fully-ramped", "Fully ramped", True, "all", _stats(9, 9, 1830), _stats(9, 9, 120), None
    )
    lonely = RampRow(
        "fully-ramped", "Fully ramped", True, "2026 Q1", _stats(1, 1, 90), _stats(1, 1, 95), None
    )
    ramp = RampComparison(18, 0, 5, milestones=[five_years], by_cohort=[lonely])
    chart = ramp_chart(ramp)
    notes = [t.get_text() for t in chart.figure.axes[0].texts]
    assert "A median over 2 years: check hire dates" in notes
    quarters = cohort_chart(ramp)
    assert not quarters.drawn  # one hire in the quarter: nothing drawn from it
    assert "needs 5 hires who ramped" in quarters.alt_text


# -- the admin's App Home ----------------------------------------------------------------------
def test_admin_home_shows_the_ramp_chart_drawn_once_per_summary(
    slack, world, db, generated, fake_slack, clock, served
) -> None:  # type: ignore[no-untyped-def]
    """The chart pictures the stored summary: drawn once for each summary the sweep
    stores (when the data changed, or an hour on), not on every open."""
    from bot.scheduler import refresh_summary
    from bot.services import audit

    clock[0] = NOW
    refresh_summary(served.runtime)
    home = slack.open_home(world.admin)
    images = [b for b in home["blocks"] if b["type"] == "image"]
    assert len(images) == 1 and images[0]["title"]["text"].startswith("Days from hire")
    text = render_blocks(home["blocks"])
    assert text.index("Ramp time reduction") < text.index("[image: Days from hire")
    uploads = len(fake_slack.calls_to("files.getUploadURLExternal"))

    # Opened again, same data, within the hour: the cached chart, nothing re-drawn.
    clock[0] = NOW + timedelta(minutes=30)
    again = slack.open_home(world.admin)
    assert [b for b in again["blocks"] if b["type"] == "image"] == images
    assert len(fake_slack.calls_to("files.getUploadURLExternal")) == uploads

    # The data changes (a state change writes its audit row): the home keeps showing
    # the stored figures, with their age, until the sweep stores new ones.
    audit.record(
        db, actor_id=None, action="test.change", entity_type="x", entity_id=None, now=clock[0]
    )
    db.commit()
    slack.open_home(world.admin)
    assert len(fake_slack.calls_to("files.getUploadURLExternal")) == uploads
    refresh_summary(served.runtime)
    slack.open_home(world.admin)
    assert len(fake_slack.calls_to("files.getUploadURLExternal")) == uploads + 1

    # An hour on, even with the same data: the sweep stores them again, drawn again.
    clock[0] = NOW + timedelta(minutes=95)
    refresh_summary(served.runtime)
    slack.open_home(world.admin)
    assert len(fake_slack.calls_to("files.getUploadURLExternal")) == uploads + 2
    # Managers and mentors have no program chart on their home.
    assert "image" not in str(slack.open_home(world.manager)["blocks"])


def test_admin_home_without_its_chart_when_the_upload_fails_and_tries_again(
    slack, world, db, generated, fake_slack, served
) -> None:  # type: ignore[no-untyped-def]
    from bot.scheduler import refresh_summary

    refresh_summary(served.runtime)
    fake_slack.fail("files.completeUploadExternal", error="internal_error")
    home = slack.open_home(world.admin)
    assert "Ramp time reduction" in str(home["blocks"])
    assert not [b for b in home["blocks"] if b["type"] == "image"]
    again = slack.open_home(world.admin)  # not kept: the chart is tried again, and arrives
    assert [b for b in again["blocks"] if b["type"] == "image"]
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 2
