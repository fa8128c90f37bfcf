"""The cast of the demo and the tests: a small customer-success team."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.services import roster
from bot.testing.fake_slack import FakeSlack


@dataclass
class Person:
    id: str  # Slack user id
    name: str
    title: str
    timezone: str
    hired_days_ago: int
    manager: str | None = None
    location: str = ""
    performance_rating: str = ""
    user_id: uuid.UUID | None = None  # filled once in the database

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


def cast() -> dict[str, Person]:
    """Fresh Person objects (tests mutate `user_id`)."""
    people = [
        Person(
            "UADMIN",
            "Ada Lovelace",
            "Head of CS Enablement",
            "America/New_York",
            2000,
            location="New York",
            performance_rating="4.5",
        ),
        Person(
            "UMAX",
            "Max Manager",
            "CS Manager",
            "America/New_York",
            1500,
            "UADMIN",
            location="New York",
            performance_rating="4.2",
        ),
        Person(
            "UVERA",
            "Vera Veteran",
            "Senior CSM",
            "America/New_York",
            1100,
            "UMAX",
            location="New York",
            performance_rating="4.6",
        ),
        Person(
            "UOMAR",
            "Omar Okafor",
            "Senior CSM",
            "Europe/London",
            800,
            "UMAX",
            location="London",
            performance_rating="4.1",
        ),
        Person(
            "UKEIKO",
            "Keiko Tanaka",
            "Principal CSM",
            "Asia/Tokyo",
            1400,
            "UMAX",
            location="Tokyo",
            performance_rating="4.8",
        ),
        Person(
            "UJUNIOR",
            "Jun Ior",
            "CSM",
            "America/Chicago",
            100,
            "UMAX",
            location="Chicago",
            performance_rating="3.9",
        ),
        Person(
            "UNEWT",
            "Newt Newhire",
            "Associate CSM",
            "America/Chicago",
            5,
            "UMAX",
            location="Chicago",
        ),
        Person("UNOVA", "Nova Fresh", "Associate CSM", "Asia/Tokyo", 3, "UMAX", location="Tokyo"),
    ]
    return {p.id: p for p in people}


ROLE_NAMES = {
    "admin": "UADMIN",
    "manager": "UMAX",
    "veteran": "UVERA",
    "londoner": "UOMAR",
    "tokyo_veteran": "UKEIKO",
    "junior": "UJUNIOR",
    "new_hire": "UNEWT",
    "tokyo_hire": "UNOVA",
}


def roster_csv(people: list[Person], today: date) -> str:
    """The roster file an HR export would give for `people`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*roster.ROSTER_COLUMNS, "performance_rating"])
    for p in people:
        writer.writerow(
            [
                p.id,
                f"{p.name.split()[0].lower()}@example.com",
                p.name,
                p.title,
                (today - timedelta(days=p.hired_days_ago)).isoformat(),
                p.manager or "",
                p.timezone,
                p.location,
                p.performance_rating,
            ]
        )
    return out.getvalue()


def seed(db: Session, fake: FakeSlack, people: dict[str, Person], now: datetime) -> None:
    """Put `people` in the roster and in the fake Slack's directory."""
    roster.import_csv(db, roster_csv(list(people.values()), now.date()), now=now)
    for person in people.values():
        fake.add_user(person.id, person.name, tz=person.timezone)
        user = roster.by_slack_id(db, person.id)
        assert user is not None
        person.user_id = user.id
