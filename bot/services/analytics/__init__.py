"""Program analytics (PRD FR-5 and its success metrics), computed in the database,
one module per question the PRD asks:

- `ramp`: do mentored hires ramp faster? (FR-5.1, ramp time reduction)
- `workload`: how is the mentoring spread across mentors? (FR-5.2)
- `sessions`: do mentorships meet as their cadence asks? (FR-5.3, session completion)
- `satisfaction`: how do mentees and mentors rate it? (FR-5.4, the satisfaction metrics)
- `effectiveness`: which mentors do best? (FR-5.5)
- `coverage`: does every new hire have a mentor? (mentorship coverage)
- `statuses`: how are a manager's reports doing? (FR-4.5)

and the shared pieces: `shared` (scope, SQL helpers, JSON), `mentorships` (one row per
mentored mentorship, which sessions, satisfaction and the ranking are summed from),
`metrics` (the success metrics against their targets) and `reports` (the reports
people read, assembled from the answers). Everything public is importable from here.

Every figure is a SQL aggregate over the whole table, so the cost is a few
statements whatever the size of the program; Python only shapes the handful of
aggregate rows that come back. What the rows keep for it is read rather than
recomputed: each mentorship's session tallies (bot/services/tallies.py) and each
ramp milestone's ramp facts (models/ramp_facts.py). The same statements run on
PostgreSQL and SQLite; where the dialects differ (days between two dates, a
date's quarter) models/sql_dates.py compiles them per dialect, and the median is
worked out from cumulative counts, which both can do. Each module states its
question's definitions (shown to people in the dashboards too)."""

from bot.services.analytics.coverage import Coverage, HireWithoutMentor
from bot.services.analytics.effectiveness import Effectiveness, MentorScore
from bot.services.analytics.metrics import Metric, success_metrics
from bot.services.analytics.ramp import NO_HIRES, GroupStats, RampComparison, RampRow
from bot.services.analytics.reports import (
    Dashboard,
    ManagerReport,
    MentorReport,
    MentorStanding,
    ProgramHeadlines,
    ProgramReport,
    dashboard_for,
    manager_report,
    mentor_report,
    mentor_standing,
    program_headlines,
    program_ramp,
    program_report,
)
from bot.services.analytics.satisfaction import Satisfaction
from bot.services.analytics.sessions import MonthSessions, SessionFrequency
from bot.services.analytics.shared import DAYS_PER_MONTH, NAMES_SHOWN, as_json
from bot.services.analytics.statuses import ReportStatus
from bot.services.analytics.workload import MentorLoad, Workload
from bot.services.data_version import data_version
from bot.services.program import program_today

__all__ = [
    "DAYS_PER_MONTH",
    "NAMES_SHOWN",
    "NO_HIRES",
    "Coverage",
    "Dashboard",
    "Effectiveness",
    "GroupStats",
    "HireWithoutMentor",
    "ManagerReport",
    "MentorLoad",
    "MentorReport",
    "MentorScore",
    "MentorStanding",
    "Metric",
    "MonthSessions",
    "ProgramHeadlines",
    "ProgramReport",
    "RampComparison",
    "RampRow",
    "ReportStatus",
    "Satisfaction",
    "SessionFrequency",
    "Workload",
    "as_json",
    "dashboard_for",
    "data_version",
    "manager_report",
    "mentor_report",
    "mentor_standing",
    "program_headlines",
    "program_ramp",
    "program_report",
    "program_today",
    "success_metrics",
]
