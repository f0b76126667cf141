from flask import render_template

from app import navigation
from app.messages import bp
from app.pagination import page_of
from app.rules.capabilities import Capability
from app.rules.vocabulary import MessageStatus
from app.security import staff_required
from app.services import outbox, text_codes

navigation.register("messages.index", "Messages", Capability.SEE_MESSAGES)
STATUS_COLOURS = {
    MessageStatus.PENDING.value: "yellow",
    MessageStatus.SENT.value: "blue",
    MessageStatus.DELIVERED.value: "green",
    MessageStatus.UNDELIVERED.value: "orange",
    MessageStatus.FAILED.value: "red",
}


@bp.get("/messages")
@staff_required(Capability.SEE_MESSAGES)
def index():
    messages, pagination = page_of(outbox.messages_page)
    return render_template(
        "messages/index.html",
        messages=messages,
        total=pagination.total,
        pagination=pagination,
        is_console=outbox.sends_to_console(),
        code_backend=text_codes.code_backend(),
        status_colours=STATUS_COLOURS,
    )
