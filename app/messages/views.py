from flask import render_template

from app import navigation
from app.messages import bp
from app.pagination import PER_PAGE, paginate, requested_page
from app.rules.vocabulary import MessageStatus, Role
from app.security import staff_required
from app.services import outbox, text_codes

MESSAGE_STAFF = (Role.SUPERVISOR, Role.ADMIN)
navigation.register("messages.index", "Messages", *MESSAGE_STAFF)
STATUS_COLOURS = {
    MessageStatus.PENDING.value: "yellow",
    MessageStatus.SENT.value: "blue",
    MessageStatus.DELIVERED.value: "green",
    MessageStatus.UNDELIVERED.value: "orange",
    MessageStatus.FAILED.value: "red",
}


@bp.get("/messages")
@staff_required(*MESSAGE_STAFF)
def index():
    page = requested_page()
    messages, total = outbox.messages_page(page, PER_PAGE)
    return render_template(
        "messages/index.html",
        messages=messages,
        total=total,
        pagination=paginate(page, total, PER_PAGE),
        is_console=outbox.sends_to_console(),
        code_backend=text_codes.code_backend(),
        status_colours=STATUS_COLOURS,
    )
