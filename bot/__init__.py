"""MentorBot: a Slack bot that runs a workplace mentorship program."""
