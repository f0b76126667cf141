"""Which adapter stands behind each interface: chosen from the settings, kept on the app.

`init_providers` chooses them in `create_app`; `providers()` is the one way the services get
them. The choice is remade only when a setting it was made from has changed since (a test
installs the fake Twilio or sets a Verify service on an app already made; nothing in
production changes its settings while running), so a choice always matches the settings.
"""

import logging
from dataclasses import dataclass, field

from flask import Flask, current_app
from twilio.http import HttpClient

from app.providers.codes import (
    CodeSender,
    ConsoleCodes,
    MessagingCodes,
    TwilioVerifyCodes,
)
from app.providers.lookup import ConsoleLookup, LineLookup, TwilioLookup
from app.providers.texts import ConsoleTexts, TextSender, TwilioTexts
from app.providers.twilio_account import TwilioAccount
from app.providers.voice import ConsoleVoice, TwilioVoice, Voice
from app.rules.vocabulary import TextCodeProvider

EXTENSION = "providers"
HTTP_CLIENT = "twilio_http_client"  # a test's own `twilio.http.HttpClient`, if it set one
# Who sends new codes, in order of preference, among those set up.
CODE_PREFERENCE = (
    TextCodeProvider.TWILIO_VERIFY,
    TextCodeProvider.TWILIO_MESSAGING,
    TextCodeProvider.CONSOLE,
)


@dataclass(frozen=True)
class ProviderSettings:
    """The settings the adapters are chosen from, as the app's config has them."""

    account_sid: str | None
    auth_token: str | None = field(repr=False)
    api_key: str | None
    api_secret: str | None = field(repr=False)
    twiml_app_sid: str | None
    hold_queue: str
    messaging_from: str | None
    verify_service_sid: str | None
    lookup_enabled: bool
    public_base_url: str
    secret_key: str = field(repr=False)
    is_production: bool
    http_client: HttpClient | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, app: Flask) -> "ProviderSettings":
        config = app.config
        return cls(
            account_sid=config.get("TWILIO_ACCOUNT_SID"),
            auth_token=config.get("TWILIO_AUTH_TOKEN"),
            api_key=config.get("TWILIO_API_KEY"),
            api_secret=config.get("TWILIO_API_SECRET"),
            twiml_app_sid=config.get("TWILIO_TWIML_APP_SID"),
            hold_queue=config.get("TWILIO_HOLD_QUEUE_NAME") or "on-hold",
            messaging_from=config.get("TWILIO_MESSAGING_FROM"),
            verify_service_sid=config.get("TWILIO_VERIFY_SERVICE_SID"),
            lookup_enabled=bool(config.get("TWILIO_LOOKUP_ENABLED")),
            public_base_url=config.get("PUBLIC_BASE_URL") or "",
            secret_key=str(config.get("SECRET_KEY") or ""),
            is_production=bool(config.get("IS_PRODUCTION", False)),
            http_client=app.extensions.get(HTTP_CLIENT),
        )

    @property
    def has_twilio(self) -> bool:
        """The account SID with either its auth token or an API key and secret."""
        api_key = self.api_key and self.api_secret
        return bool(self.account_sid and (self.auth_token or api_key))

    def same_as(self, other: "ProviderSettings") -> bool:
        # The HTTP client is compared by identity: each fake a test installs is a new one.
        return self == other and self.http_client is other.http_client


@dataclass(frozen=True)
class Providers:
    """The adapters chosen for `settings`.

    `codes` sends new codes, or is None where nobody may (production without Twilio Verify
    or Messaging: a code is never made where only the log or a page would carry it).
    `codes_for(kind)` is who checks a code a provider of that kind sent, while it is still
    set up here. `voice` is None in production without Twilio.
    """

    settings: ProviderSettings
    texts: TextSender
    lookup: LineLookup
    voice: Voice | None
    code_senders: dict[TextCodeProvider, CodeSender]

    @property
    def codes(self) -> CodeSender | None:
        return next((self.code_senders[k] for k in CODE_PREFERENCE if k in self.code_senders), None)

    def codes_for(self, kind: TextCodeProvider) -> CodeSender | None:
        return self.code_senders.get(kind)

    @property
    def checks_by_asking(self) -> bool:
        """Whether a code sent here may be one only its provider can check (Verify)."""
        return any(sender.asks_provider_to_check for sender in self.code_senders.values())

    @property
    def texts_to_console(self) -> bool:
        return isinstance(self.texts, ConsoleTexts)


def choose(settings: ProviderSettings, logger: logging.Logger) -> Providers:
    """Twilio's adapters where Twilio is set up, the console's where it stands in. The
    console never makes codes in production, whatever is or is not set."""
    account = None
    if settings.has_twilio:
        account = TwilioAccount(
            account_sid=settings.account_sid,  # type: ignore[arg-type]
            auth_token=settings.auth_token,
            api_key=settings.api_key,
            api_secret=settings.api_secret,
            http_client=settings.http_client,
        )
    texts: TextSender = (
        TwilioTexts(account, settings.messaging_from, settings.public_base_url)
        if account
        else ConsoleTexts(logger)
    )
    code_senders: dict[TextCodeProvider, CodeSender] = {}
    if account and settings.verify_service_sid:
        code_senders[TextCodeProvider.TWILIO_VERIFY] = TwilioVerifyCodes(
            account, settings.verify_service_sid
        )
    if account and settings.messaging_from:
        code_senders[TextCodeProvider.TWILIO_MESSAGING] = MessagingCodes(texts, settings.secret_key)
    if not settings.is_production:
        code_senders[TextCodeProvider.CONSOLE] = ConsoleCodes(settings.secret_key, logger)
    lookup: LineLookup = (
        TwilioLookup(account) if account and settings.lookup_enabled else ConsoleLookup()
    )
    voice: Voice | None = None
    if account:
        voice = TwilioVoice(
            account, settings.public_base_url, settings.twiml_app_sid, settings.hold_queue
        )
    elif not settings.is_production:
        voice = ConsoleVoice(logger)
    return Providers(settings, texts, lookup, voice, code_senders)


def init_providers(app: Flask) -> None:
    app.extensions[EXTENSION] = choose(ProviderSettings.of(app), app.logger)


def providers() -> Providers:
    """The adapters for the app's settings now: those chosen in `create_app`, unless a
    setting they were chosen from has changed since, when they are chosen again."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = ProviderSettings.of(app)
    chosen: Providers | None = app.extensions.get(EXTENSION)
    if chosen is None or not chosen.settings.same_as(settings):
        chosen = choose(settings, app.logger)
        app.extensions[EXTENSION] = chosen
    return chosen
