"""Who may do what: the one place that answers role and permission questions.

Roles (DESIGN.md): admin (program lead), manager (has reports in the roster),
mentor (opted in), mentee (has a mentorship)."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.services import roster
from bot.services.errors import NotAllowed, NotFound
from models import Assignment, Mentor, User

ADMIN = "admin"
MANAGER = "manager"
MENTOR = "mentor"
MENTEE = "mentee"


def load_user(db: Session, user_id: uuid.UUID) -> User:
    """The user row, or NotFound."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("I can't find that person in the roster.")
    return user


def roles_of(db: Session, user: User) -> set[str]:
    """Every role the user holds right now."""
    roles: set[str] = set()
    if user.is_admin:
        roles.add(ADMIN)
    if db.scalar(select(exists().where(User.manager_id == user.id))):
        roles.add(MANAGER)
    if db.scalar(select(exists().where(Mentor.user_id == user.id))):
        roles.add(MENTOR)
    if db.scalar(select(exists().where(Assignment.mentee_user_id == user.id))):
        roles.add(MENTEE)
    return roles


def require_admin(user: User) -> None:
    """NotAllowed unless the user is a program admin."""
    if not user.is_admin:
        raise NotAllowed(
            "Only program admins can do that. Ask a program lead to make you an admin."
        )


def manages(db: Session, manager: User, user: User) -> bool:
    """True when `manager` is the user's manager or anyone above them."""
    return roster.is_above(db, manager.id, user)


def require_manager_or_admin(db: Session, actor: User, user: User) -> None:
    """NotAllowed unless the actor is an admin or above `user` in the roster."""
    if actor.is_admin or manages(db, actor, user):
        return
    raise NotAllowed(
        f"Only {user.name}'s manager (or someone above them) or a program admin can do that."
    )
