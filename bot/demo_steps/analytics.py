"""The demo's last step: what a program lead sees in `/mentor analytics`."""

from __future__ import annotations

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
    demo.types("UADMIN", "analytics")
