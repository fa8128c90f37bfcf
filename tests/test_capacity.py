"""Capacity is taken atomically and never goes past max_mentees."""

from __future__ import annotations

import pytest

from bot.services import capacity
from bot.services.errors import CapacityFull
from tests.factories import make_mentor


def test_slots_run_out_and_come_back(db, world) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran, max_mentees=2)
    capacity.take_slot(db, mentor.id)
    capacity.take_slot(db, mentor.id)
    with pytest.raises(CapacityFull, match="no free slot"):
        capacity.take_slot(db, mentor.id)
    assert mentor.current_mentee_count == 2
    capacity.free_slot(db, mentor.id)
    capacity.free_slot(db, mentor.id)
    capacity.free_slot(db, mentor.id)  # never below zero
    assert mentor.current_mentee_count == 0
