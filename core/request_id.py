"""The request id: one per request, taken from a well-formed ``X-Request-ID`` (the reverse
proxy's) or made here, sent back in the response and kept while the request runs, with the
request's path and address, so that the security log's rows (accounts.SecurityEvent) name the
request they come from even when the code that writes them was not handed it (a refusal
inside a service), and the logs of one request meet."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token
from dataclasses import dataclass

HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


@dataclass(frozen=True)
class RequestInfo:
    request_id: str = ""
    path: str = ""
    ip: str | None = None


NO_REQUEST = RequestInfo()  # frozen: safe to share as the default
_current: ContextVar[RequestInfo] = ContextVar("request_info", default=NO_REQUEST)


def new_request_id(offered: str | None = None) -> str:
    """``offered`` when it is 8 to 64 safe characters, else a fresh random id."""
    if offered and _WELL_FORMED.match(offered):
        return offered
    return uuid.uuid4().hex


def current_request() -> RequestInfo:
    """The request this thread is serving (empty outside a request)."""
    return _current.get()


def current_request_id() -> str:
    return _current.get().request_id


def set_request(info: RequestInfo) -> Token[RequestInfo]:
    return _current.set(info)


def reset_request(token: Token[RequestInfo]) -> None:
    _current.reset(token)
