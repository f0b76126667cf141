"""What a provider answers when it did not do what it was asked: the same errors whichever
adapter stands behind an interface. Their `detail` is written to the log and kept with an
outbox message, so any phone number a provider quotes in it is left out."""

from app.rules.outbox import without_phone_numbers


class ProviderUnavailable(Exception):
    """The provider failed or did not answer; `detail` is for the log, never for a page."""

    def __init__(self, detail: str):
        detail = without_phone_numbers(detail)
        super().__init__(detail)
        self.detail = detail


class SendFailed(Exception):
    """The provider did not take a text. `http_status` is None when it did not answer;
    `error_code` is the provider's own code for the refusal (Twilio's, e.g. 21211)."""

    def __init__(self, http_status: int | None, detail: str, error_code: int | None = None):
        detail = without_phone_numbers(detail)
        super().__init__(detail)
        self.http_status = http_status
        self.detail = detail
        self.error_code = error_code


class CodesUnavailable(Exception):
    """No provider sends codes of this kind here (the console in production, or a provider
    that is no longer set up)."""
