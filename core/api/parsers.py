"""API request parsers: a body the database or the services cannot take is refused here, once.

Every API body passes one of these (REST_FRAMEWORK DEFAULT_PARSER_CLASSES; upload views name
the form parsers), so no view and no service has to check for:

- NUL (U+0000) in any string or key: PostgreSQL refuses it in text and jsonb, so it would
  surface as a 500 from whichever query first met it;
- numbers no column holds: a JSON number beyond a float overflows to inf (``1e400``) and
  would be echoed into an error that strict JSON cannot render; an integer beyond 64 bits
  fits no integer column;
- nesting deeper than MAX_DEPTH: legitimate bodies are a few levels deep, and a deep one
  exhausts the recursion of the JSON decoder or of whatever walks the value next.

Each is a 400 in the ``{code, message, extra}`` envelope (core.errors).
"""

from __future__ import annotations

import codecs
import json
import math
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from core.errors import BodyTooDeepError, NulCharacterError, NumberOutOfRangeError

MAX_DEPTH = 32
_INT64 = 2**63


def check_value(data: Any) -> None:
    """Raise if ``data`` (parsed JSON) holds a NUL, an unstorable number or deep nesting.
    Iterative, so that the check cannot itself run out of stack."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise NulCharacterError()
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise BodyTooDeepError(limit=MAX_DEPTH)
            if isinstance(value, dict):
                for key, item in value.items():
                    if "\x00" in key:
                        raise NulCharacterError()
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise NumberOutOfRangeError(value=str(value))
        elif isinstance(value, int) and not -_INT64 <= value < _INT64:
            raise NumberOutOfRangeError(value=f"{str(value)[:12]}…")


def _refuse_constant(name: str) -> Any:
    raise NumberOutOfRangeError(value=name)  # NaN, Infinity, -Infinity: not JSON


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise BodyTooDeepError(limit=MAX_DEPTH) from None
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        check_value(data)
        return data


def _check_form(data, files=None) -> None:
    for key, values in data.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            raise NulCharacterError()
    for upload in (files or {}).values():
        if "\x00" in (upload.name or ""):
            raise NulCharacterError()


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _check_form(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _check_form(result.data, result.files)
        return result
