"""Password complexity: Django ships length and common-password checks but no character-class
rule, which 等保 2.0 asks for; this is the small missing piece."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class CharacterClassValidator:
    CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def _count(self, password: str) -> int:
        found = sum(1 for chars in self.CLASSES if any(c in chars for c in password))
        if any(not c.isalnum() for c in password):
            found += 1
        return found

    def validate(self, password: str, user=None) -> None:
        if self._count(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must contain characters of at least %(n)d kind "
            "(lower case, upper case, digits, symbols).",
            "Your password must contain characters of at least %(n)d kinds "
            "(lower case, upper case, digits, symbols).",
            self.min_classes,
        ) % {"n": self.min_classes}
