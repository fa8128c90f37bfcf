"""SQLAlchemy 2.0 typed models: the PRD's data model plus what the product needs."""

# Registers the flush hook that keeps the milestones' ramp facts recounted.
from models import ramp_facts
from models.analytics_summary import AnalyticsSummary
from models.api_tokens import ApiToken
from models.assignments import (
    ASSIGNMENT_STATUSES,
    CADENCE_DAYS,
    CADENCES,
    COVERED_STATUSES,
    KIND_LABELS,
    KINDS,
    MENTORED_STATUSES,
    OPEN_STATUSES,
    Assignment,
    MatchProposal,
)
from models.audit import AuditEntry
from models.base import Base
from models.circles import CircleAttendance, CircleMember, CircleSession, TopicCircle
from models.curriculum import CurriculumTopic, MentorshipResource
from models.feedback import FEEDBACK_KINDS, MentorshipFeedback
from models.handled import HandledInteraction
from models.interaction_state import InteractionState
from models.mentors import Mentor, MentorTraining
from models.milestones import MilestoneSubmission, MilestoneTemplate, RampMilestone
from models.notifications import Notification
from models.outbox import OutboxMessage
from models.progress import ProgressNote, SkillAssessment
from models.scheduling import SCHEDULED_STATUSES, MentorQuestion, ScheduledSession
from models.sessions import MentorshipSession
from models.settings import ProgramSetting
from models.slack_token import SlackTokenState
from models.users import User

__all__ = [
    "ASSIGNMENT_STATUSES",
    "CADENCES",
    "CADENCE_DAYS",
    "COVERED_STATUSES",
    "FEEDBACK_KINDS",
    "KINDS",
    "KIND_LABELS",
    "MENTORED_STATUSES",
    "OPEN_STATUSES",
    "SCHEDULED_STATUSES",
    "AnalyticsSummary",
    "ApiToken",
    "Assignment",
    "AuditEntry",
    "Base",
    "CircleAttendance",
    "CircleMember",
    "CircleSession",
    "CurriculumTopic",
    "HandledInteraction",
    "InteractionState",
    "MatchProposal",
    "Mentor",
    "MentorQuestion",
    "MentorTraining",
    "MentorshipFeedback",
    "MentorshipResource",
    "MentorshipSession",
    "MilestoneSubmission",
    "MilestoneTemplate",
    "Notification",
    "OutboxMessage",
    "ProgramSetting",
    "ProgressNote",
    "RampMilestone",
    "ScheduledSession",
    "SkillAssessment",
    "SlackTokenState",
    "TopicCircle",
    "User",
    "ramp_facts",
]
