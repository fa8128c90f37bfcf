"""Questions to the mentor: the Ask and Answer modals and the DMs of the `questions`
reminder kind. The question and answer text reach only the mentor and the mentee;
the admins' escalation names the pair and the wait, never the text."""

from __future__ import annotations

from bot.blocks import actions as ids
from bot.blocks import kit
from bot.services.questions import ANSWER_LIMIT, QUESTION_LIMIT, Asked, QuestionView
from bot.services.reminders import Due

Rendered = tuple[str, list[kit.Block]]
ASK_CALLBACK = "question.ask"
ANSWER_CALLBACK = "question.answer"
QUOTE_LIMIT = 2500


def _quote(text: str) -> str:
    return "> " + kit.escape(kit.truncate(text, QUOTE_LIMIT)).replace("\n", "\n> ")


def ask_modal(question: str, source_link: str) -> kit.Block:
    """The "Ask my mentor" shortcut: the message as the question, to edit before sending."""
    return kit.modal(
        "Ask my mentor",
        [
            kit.input_block(
                "Question",
                "question",
                kit.text_input(
                    "question",
                    initial=kit.truncate(question, QUESTION_LIMIT),
                    multiline=True,
                    max_length=QUESTION_LIMIT,
                ),
            )
        ],
        callback_id=ASK_CALLBACK,
        submit="Send",
        private_metadata=source_link,
    )


def asked_text(asked: Asked) -> str:
    return (
        f":incoming_envelope: I sent your question to {asked.mentor_name}. "
        "Mentors answer within 24 hours; the answer comes here by DM."
    )


def asked_view(asked: Asked) -> kit.Block:
    return kit.modal(
        "Question sent",
        [kit.section(asked_text(asked))],
        callback_id="question.asked",
        submit=None,
        close="Done",
    )


def answer_modal(view: QuestionView) -> kit.Block:
    return kit.modal(
        "Answer",
        [
            kit.section(f"*{kit.escape(view.mentee_name)}* asked:\n{_quote(view.question)}"),
            kit.input_block(
                "Answer",
                "answer",
                kit.text_input("answer", multiline=True, max_length=ANSWER_LIMIT),
            ),
        ],
        callback_id=ANSWER_CALLBACK,
        submit="Send",
        private_metadata=str(view.question_id),
    )


def answered_view(mentee_name: str) -> kit.Block:
    return kit.modal(
        "Answer sent",
        [
            kit.section(
                f":white_check_mark: Your answer is on its way to {kit.escape(mentee_name)}."
            )
        ],
        callback_id="question.answered",
        submit=None,
        close="Done",
    )


def question_new(due: Due) -> Rendered:
    f = due.facts
    late = f" It has waited {f['hours_waiting']} hours." if f.get("late") else ""
    text = f"{f['mentee_name']} asks you a question"
    blocks = [
        kit.section(
            f":raising_hand: *{kit.escape(f['mentee_name'])}* asks:{late}\n{_quote(f['question'])}"
        )
    ]
    if f.get("source_link"):
        blocks.append(kit.context(f"<{f['source_link']}|The message it is about>"))
    blocks += [
        kit.context("Questions are answered within 24 hours; after that the program lead is told."),
        kit.actions(
            kit.button("Answer", ids.QUESTION_ANSWER, f["question_id"], style="primary"),
            kit.button("Talk in our next session", ids.QUESTION_DEFER, f["question_id"]),
        ),
    ]
    return text, blocks


def question_answered(due: Due) -> Rendered:
    f = due.facts
    mentor = kit.escape(f["mentor_name"])
    if f["status"] == "deferred":
        text = f"{f['mentor_name']} will talk about your question in your next session"
        body = (
            f":speech_balloon: *{mentor}* will talk about your question in your next "
            f"session:\n{_quote(f['question'])}"
        )
        return text, [
            kit.section(body),
            kit.actions(kit.button("Schedule next session", ids.SCHEDULE_OPEN, f["assignment_id"])),
        ]
    text = f"{f['mentor_name']} answered your question"
    return text, [
        kit.section(f":speech_balloon: You asked:\n{_quote(f['question'])}"),
        kit.section(f"*{mentor}* answered:\n{_quote(f['answer'])}"),
    ]


def question_escalation(due: Due) -> Rendered:
    f = due.facts
    text = f"A question from {f['mentee_name']} has waited {f['hours_waiting']} hours"
    return text, [
        kit.section(
            f":rotating_light: A question from *{kit.escape(f['mentee_name'])}* has waited "
            f"{f['hours_waiting']} hours for *{kit.escape(f['mentor_name'])}*'s answer; the "
            "standard is 24 hours."
        ),
        kit.context(
            "The question stays private to the two of them. Perhaps check in with the mentor."
        ),
    ]


RENDERERS = {
    "question_new": question_new,
    "question_answered": question_answered,
    "question_escalation": question_escalation,
}
