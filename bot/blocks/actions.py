"""Every interactive action id, in one place, because buttons cross features:
a reminder carries "Log session", a decline DM carries "Assign", App Home carries
"Done". The module that owns the handler is named beside each id."""

# Mentor program (listeners/mentors.py)
OPTIN_OPEN = "mentor.optin_open"  # no value
TRAINING_DONE = "mentor.training_done"  # value: training key
CERTIFY = "mentor.certify"  # value: mentor id
ADMIN_SETTINGS_OPEN = "admin.settings_open"  # no value (listeners/admin.py)
ADMIN_SETTINGS_SECTION = "admin.settings_section"  # value: section key (blocks/admin.py)
WAITING_ALL = "mentor.waiting_all"  # no value: every request waiting for the mentor
PAUSE_DECLINE_WAITING = "mentor.pause_decline_waiting"  # no value
PAUSE_KEEP_WAITING = "mentor.pause_keep_waiting"  # no value

# Matching and assignment (listeners/assignments.py)
ASSIGN = "assignment.assign"  # value: json {"mentor": mentor id, "mentee": user id}
#: value: json {"teacher": user id, "learner": user id, "topic": skill}
ASSIGN_REVERSE = "assignment.assign_reverse"
ACCEPT = "assignment.accept"  # value: assignment id
DECLINE = "assignment.decline"  # value: assignment id
COHORT_APPROVE = "cohort.approve"  # value: proposal id
# Topic circles (listeners/circles.py)
CIRCLE_JOIN = "circle.join"  # value: circle id
CIRCLE_LEAVE = "circle.leave"  # value: circle id
CIRCLE_LOG = "circle.log_open"  # value: circle id (the host's or an admin's)
CIRCLE_CLOSE = "circle.close_open"  # value: circle id (the host's or an admin's)

# Sessions, milestones, progress, completion (listeners/sessions.py, milestones.py, ...)
LOG_SESSION = "session.log"  # value: assignment id, or "" to choose
ACTION_ITEM_DONE = "action_item.done"  # value: "<session id>:<item id>"
MILESTONE_SUBMIT = "milestone.submit_open"  # value: milestone id
MILESTONE_APPROVE = "milestone.approve"  # value: submission id
MILESTONE_REQUEST_CHANGES = "milestone.request_changes"  # value: submission id
# Ramp milestone templates (listeners/milestone_templates.py)
TEMPLATE_EDIT = "milestone_template.edit_open"  # value: template key, or "" for a new one
TEMPLATE_UP = "milestone_template.move_up"  # value: template key
TEMPLATE_RETIRE = "milestone_template.retire"  # value: template key
# The curriculum and mentors' resources (listeners/curriculum.py)
CURRICULUM_EDIT = "curriculum.edit_open"  # value: week number, or "" for a new week
SELF_ASSESS = "progress.self_assess_open"  # value: assignment id
COMPLETE = "assignment.complete_open"  # value: assignment id
EXTEND = "assignment.extend_open"  # value: assignment id (listeners/term.py)
COMPLETE_FOR_PAIR = "assignment.complete_for_pair_open"  # value: assignment id (term.py)
ESCALATE = "progress.escalate"  # value: progress note id
PROGRESS_OPEN = "progress.note_open"  # value: assignment id (listeners/progress.py)

# Reminders (listeners/reminders.py)
SNOOZE_WEEK = "reminder.snooze_week"  # value: assignment id

# Sessions scheduled ahead (listeners/scheduling.py)
SCHEDULE_OPEN = "schedule.open"  # value: assignment id, or "" to choose
SCHEDULE_CONFIRM = "schedule.confirm"  # value: "<proposal id>:<option index>"
SCHEDULE_PROPOSE_OTHER = "schedule.propose_other"  # value: proposal id
SCHEDULE_RESCHEDULE = "schedule.reschedule"  # value: scheduled session id
SCHEDULE_CANCEL = "schedule.cancel"  # value: scheduled session id
SCHEDULE_LOG = "schedule.log"  # value: scheduled session id
SCHEDULE_DIDNT_HAPPEN = "schedule.didnt_happen"  # value: scheduled session id

# Questions to the mentor (listeners/questions.py)
QUESTION_ANSWER = "question.answer_open"  # value: question id
QUESTION_DEFER = "question.defer"  # value: question id
ASK_SHORTCUT = "ask_my_mentor"  # the message shortcut's callback id
