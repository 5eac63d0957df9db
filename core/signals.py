"""Signals core sends and the apps answer, so that core imports no app.

``security_event``: something the security log must record happened in core (a refused
permission, an expired session). Keyword arguments: ``kind`` (a SecurityEventKind value),
``user``, ``request`` (may be None), ``detail`` (a dict, may be None) and, optionally, the
object concerned (``object_type``, a model label, and ``object_id``) and a ``reason`` (a short
code, e.g. ``role_not_allowed``). accounts answers it
by writing a SecurityEvent (accounts/signals.py); it is sent synchronously, so the row is
written in the caller's transaction, before the caller goes on.
"""

from __future__ import annotations

from django.dispatch import Signal

security_event = Signal()
