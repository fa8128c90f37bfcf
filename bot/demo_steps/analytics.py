"""The demo's last step: what a program lead sees in `/mentor analytics`."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bot.testing.program_generator import ProgramSpec, generate, load

if TYPE_CHECKING:
    from bot.demo import Demo


def program_lead_reads_the_analytics(demo: Demo) -> None:
    demo.step("A program lead checks whether mentoring works")
    runtime = demo.app.runtime
    # The flows above make a handful of rows; a year of a mid-sized program is
    # generated so the figures mean something (mentored hires ramp 20 % sooner).
    spec = ProgramSpec(hires=120, mentors=16, managers=4, today=runtime.now().date(), seed=11)
    with runtime.db() as db:
        load(db, generate(spec))
    print(f"(generated {spec.hires} hires and {spec.mentors} mentors over two years)")
    before = len(demo.slack.dms("UADMIN"))
    demo.types("UADMIN", "analytics")
    demo.new_dms("UADMIN", before)
    # The charts went into the program lead's DM through Slack's upload flow; the
    # ramp chart is kept in a file (the demo's own folder goes away) to look at.
    ramp = next(f for f in demo.slack.fake.uploaded("DUADMIN") if f.filename == "ramp.png")
    path = Path(tempfile.mkdtemp(prefix="mentorbot-demo-charts-")) / ramp.filename
    path.write_bytes(ramp.data or b"")
    print(f"\nThe ramp chart the program lead sees: {path}")
