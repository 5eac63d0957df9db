"""[R-LIST-OTHER] Evidence files: the supplier attaches, to an application it may still edit
(draft or rejected), files showing that a province it names lists the product; the bureau's
review lists them with download links and its approval records that they were checked
(procurement.services.listings.listing_approve).

A file is taken for what its bytes are, never for its name or declared type: a PDF (``%PDF-``
header and an ``%%EOF`` trailer, no JavaScript, launch actions or embedded files), a PNG (its
signature, the IHDR chunk first and the IEND chunk last) or a JPEG (start-of-image marker
first, end-of-image last). Anything else, an empty file, a truncated one or one over
``EVIDENCE_FILE_MAX_BYTES`` (5 MB) is refused with the reason and nothing is stored. Files are
kept in the database: see procurement.models.evidence for why."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import NotFoundError
from core.permissions import require
from procurement.choices import LISTING_STATES, ListingAction
from procurement.errors import (
    EvidenceFileInvalidError,
    EvidenceFilesTooManyError,
    EvidenceFileTooLargeError,
)
from procurement.locks import lock_listing
from procurement.models import ListingEvidenceFile
from procurement.models.evidence import (
    EVIDENCE_EXTENSIONS,
    EVIDENCE_FILE_MAX_BYTES,
    EVIDENCE_FILES_PER_LISTING,
    EvidenceKind,
)
from procurement.selectors.listings import listing_owner_check

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
# Active content a review file has no business carrying.
PDF_ACTIVE = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFile|OpenAction\s*<<\s*/S\s*/JavaScript)\b"
)
NAME_MAX = 200


def evidence_sniff(content: bytes, *, name: str) -> str:
    """The file's kind (EvidenceKind) from its bytes, or EvidenceFileInvalidError."""

    def refuse(reason: str) -> EvidenceFileInvalidError:
        return EvidenceFileInvalidError(name=name, reason=reason)

    if not content:
        raise refuse(_("the file is empty."))
    if content.startswith(b"%PDF-"):
        if not re.match(rb"%PDF-[12]\.\d", content):
            raise refuse(_("its PDF header is malformed."))
        if b"%%EOF" not in content[-1024:]:
            raise refuse(_("the PDF is truncated (no end-of-file marker)."))
        if PDF_ACTIVE.search(content):
            raise refuse(_("the PDF carries scripts, actions or embedded files."))
        return EvidenceKind.PDF
    if content.startswith(PNG_SIGNATURE):
        if content[12:16] != b"IHDR" or not content.endswith(PNG_IEND):
            raise refuse(_("the PNG image is malformed or truncated."))
        return EvidenceKind.PNG
    if content.startswith(b"\xff\xd8\xff"):
        if not content.rstrip(b"\x00").endswith(b"\xff\xd9"):
            raise refuse(_("the JPEG image is truncated."))
        return EvidenceKind.JPEG
    raise refuse(_("only PDF, PNG and JPEG files are accepted (by their content)."))


def evidence_file_name(raw: object, kind: str) -> str:
    """A name safe to show and to send back: no folders, no control characters, at most
    NAME_MAX characters, with the extension of what the file is."""
    text = unicodedata.normalize("NFC", str(raw or ""))
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip(" .")
    stem = text.rsplit(".", 1)[0] if "." in text else text
    extension = EVIDENCE_EXTENSIONS[EvidenceKind(kind)]
    stem = stem[: NAME_MAX - len(extension) - 1] or _("evidence")
    return f"{stem}.{extension}"


@transaction.atomic
def listing_evidence_attach(
    *, actor: User, listing_id: int, province_code: str, name: str, content: bytes
) -> ListingEvidenceFile:
    """[R-LIST-OTHER] Attach one evidence file for ``province_code`` (one of the provinces the
    application names) to a draft or rejected application of the actor's organisation.
    ``content`` is at most EVIDENCE_FILE_MAX_BYTES + 1 bytes as read by the caller."""
    require(actor, "listing.apply")
    listing = lock_listing(actor=actor, listing_id=listing_id)
    listing_owner_check(actor=actor, listing=listing)
    LISTING_STATES.check(listing, ListingAction.EDIT)
    shown = str(name or "")[:NAME_MAX] or _("evidence")
    if len(content) > EVIDENCE_FILE_MAX_BYTES:
        raise EvidenceFileTooLargeError(
            name=shown, max_mb=EVIDENCE_FILE_MAX_BYTES // (1024 * 1024), size=len(content)
        )
    kind = evidence_sniff(content, name=shown)
    code = str(province_code or "").strip()
    if not listing.provinces.filter(province_code=code).exists():
        raise EvidenceFileInvalidError(
            name=shown,
            reason=_("name the province on the application first, then attach its evidence."),
            field="province",
        )
    if listing.evidence_files.count() >= EVIDENCE_FILES_PER_LISTING:
        raise EvidenceFilesTooManyError(max=EVIDENCE_FILES_PER_LISTING)
    return ListingEvidenceFile.objects.create(
        listing=listing,
        province_code=code,
        name=evidence_file_name(name, kind),
        content_type=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=actor,
    )


@transaction.atomic
def listing_evidence_remove(*, actor: User, listing_id: int, evidence_id: int) -> None:
    """Take an evidence file off a draft or rejected application of the actor's organisation
    (another listing's file: 404)."""
    require(actor, "listing.apply")
    listing = lock_listing(actor=actor, listing_id=listing_id)
    listing_owner_check(actor=actor, listing=listing)
    LISTING_STATES.check(listing, ListingAction.EDIT)
    if not listing.evidence_files.filter(pk=evidence_id).delete()[0]:
        raise NotFoundError()
