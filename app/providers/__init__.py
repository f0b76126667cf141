"""Providers: the outside services the app asks for things (texts, codes, line lookups,
voice), below the services, each behind a small interface with a Twilio adapter and a
console adapter that stands in during development.

- `TextSender` (`texts.py`): Twilio's Messages API; the console writes texts to the log.
- `CodeSender` (`codes.py`): Twilio Verify, or the app's own code through Twilio Messaging;
  the console shows codes in the log and on the Messages page (development only).
- `LineLookup` (`lookup.py`): Twilio Lookup v2; the console asks nothing.
- `Voice` (`voice.py`): Twilio's Calls API and access tokens for the browser SDK; the
  console keeps a list of what it was asked.

Services get the adapters from `providers()` (`registry.py`), never from `app.telephony`,
and never call one while they hold a database lock (docs/architecture.md). Adapters know
nothing of the database, the request or the services; they are given their settings.
"""

from app.providers.errors import CodesUnavailable, ProviderUnavailable, SendFailed
from app.providers.registry import Providers, init_providers, providers

__all__ = [
    "CodesUnavailable",
    "ProviderUnavailable",
    "Providers",
    "SendFailed",
    "init_providers",
    "providers",
]
