"""[R-LIST-OTHER] Evidence files for the provinces an application names: taken for what their
bytes are (PDF, PNG, JPEG), at most 5 MB, nothing stored when refused; seen by the supplier and
the reviewing regulators only; the bureau's approval records that they were checked."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from accounts.tests.factories import HospitalFactory, OrganizationFactory, UserFactory
from catalog.tests.factories import ConsumableFactory
from core.errors import DomainError
from core.tests.helpers import browser, client_for, code_of
from procurement.models import ListingEvidenceFile, ListingProvince
from procurement.models.evidence import EVIDENCE_FILE_MAX_BYTES
from procurement.selectors.listing_evidence import listing_evidence_get, listing_evidence_list
from procurement.services import listings as services
from procurement.services.listing_evidence import (
    evidence_file_name,
    listing_evidence_attach,
    listing_evidence_remove,
)
from procurement.tests.factories import ListingDistributorFactory

pytestmark = pytest.mark.django_db


def png(extra: bytes = b"") -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + extra
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@pytest.fixture
def application(sales, maker):
    product = ConsumableFactory(manufacturer=maker)
    return services.listing_create(
        actor=sales,
        consumable_id=product.pk,
        price="100.00",
        registration_number=product.registration_number,
        provinces=[
            {"code": c, "evidence": f"{c} 平台 GW-{c}"} for c in ("11", "12", "13", "14", "15")
        ],
    )


def attach(sales, listing, content, *, name="证明.pdf", province="11"):
    return listing_evidence_attach(
        actor=sales, listing_id=listing.pk, province_code=province, name=name, content=content
    )


@pytest.mark.parametrize(
    ("content", "name", "kind", "stored_name"),
    [
        pytest.param(PDF, "北京挂网公告.pdf", "application/pdf", "北京挂网公告.pdf", id="pdf"),
        pytest.param(png(), "截图.PNG", "image/png", "截图.png", id="png"),
        pytest.param(JPEG, "照片.jpeg", "image/jpeg", "照片.jpg", id="jpeg"),
        # By content, not by name: a PNG named .pdf is a PNG and is sent back as one.
        pytest.param(png(), "公告.pdf", "image/png", "公告.png", id="png-named-pdf"),
        pytest.param(PDF, "../../etc/passwd", "application/pdf", "passwd.pdf", id="path-stripped"),
    ],
)
def test_R_LIST_OTHER_a_pdf_png_or_jpeg_is_attached_for_what_it_is(
    sales, application, content, name, kind, stored_name
):
    evidence = attach(sales, application, content, name=name)
    evidence.refresh_from_db()
    assert (evidence.content_type, evidence.name, evidence.size, bytes(evidence.content)) == (
        kind,
        stored_name,
        len(content),
        content,
    )
    assert evidence.province_code == "11"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        pytest.param(b"", "evidence_file_invalid", id="empty"),
        pytest.param(b"MZ\x90\x00 an executable named .pdf", "evidence_file_invalid", id="exe"),
        pytest.param(b"<html><script>alert(1)</script>", "evidence_file_invalid", id="html"),
        pytest.param(b"%PDF-1.4\n1 0 obj", "evidence_file_invalid", id="pdf-truncated"),
        pytest.param(b"%PDF-x\n%%EOF", "evidence_file_invalid", id="pdf-bad-header"),
        pytest.param(
            b"%PDF-1.7\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n%%EOF",
            "evidence_file_invalid",
            id="pdf-javascript",
        ),
        pytest.param(png()[:-12], "evidence_file_invalid", id="png-truncated"),
        pytest.param(
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "evidence_file_invalid", id="png-no-ihdr"
        ),
        pytest.param(JPEG[:-2], "evidence_file_invalid", id="jpeg-truncated"),
        pytest.param(
            PDF + b" " * (EVIDENCE_FILE_MAX_BYTES - len(PDF) + 1),
            "evidence_file_too_large",
            id="one-byte-over-5MB",
        ),
    ],
)
def test_R_LIST_OTHER_malformed_disguised_or_oversized_files_are_refused_and_not_stored(
    sales, application, content, code
):
    with pytest.raises(DomainError) as exc:
        attach(sales, application, content)
    assert exc.value.code == code
    assert 400 <= exc.value.http_status < 500
    assert not ListingEvidenceFile.objects.exists()


def test_R_LIST_OTHER_a_file_of_exactly_5MB_is_accepted(sales, application):
    content = b"%PDF-1.4\n" + b" " * (EVIDENCE_FILE_MAX_BYTES - 9 - 6) + b"%%EOF\n"
    assert len(content) == EVIDENCE_FILE_MAX_BYTES
    assert attach(sales, application, content).size == EVIDENCE_FILE_MAX_BYTES


def test_R_LIST_OTHER_evidence_is_for_a_province_the_application_names(sales, application):
    assert code_of(lambda: attach(sales, application, PDF, province="65")) == (
        "evidence_file_invalid"
    )
    assert not ListingEvidenceFile.objects.exists()


def test_R_LIST_OTHER_only_an_editable_application_of_ones_own_takes_files(
    sales, application, maker
):
    other_sales = UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES])
    assert code_of(lambda: attach(other_sales, application, PDF)) == "not_found"
    services.listing_submit(actor=sales, listing_id=application.pk)
    assert code_of(lambda: attach(sales, application, PDF)) == "invalid_state"
    assert not ListingEvidenceFile.objects.exists()


def test_R_LIST_OTHER_dropping_a_province_drops_its_files_and_files_can_be_removed(
    sales, application
):
    beijing = attach(sales, application, PDF, province="11")
    tianjin = attach(sales, application, png(), province="12")
    services.listing_update(
        actor=sales,
        listing_id=application.pk,
        provinces=[{"code": c, "evidence": f"{c} 平台"} for c in ("12", "13", "14", "15", "21")],
    )
    assert list(ListingEvidenceFile.objects.values_list("pk", flat=True)) == [tianjin.pk]
    assert not ListingEvidenceFile.objects.filter(pk=beijing.pk).exists()
    listing_evidence_remove(actor=sales, listing_id=application.pk, evidence_id=tianjin.pk)
    assert not ListingEvidenceFile.objects.exists()
    assert ListingProvince.objects.filter(listing=application).count() == 5


def test_R_LIST_OTHER_only_the_supplier_and_the_regulators_see_the_files(
    sales, application, officer, maker
):
    """A hospital sees a listed product, an authorised distributor sees the listing: neither
    sees its evidence (404, as a missing file)."""
    evidence = attach(sales, application, PDF)
    distributor = OrganizationFactory()
    ListingDistributorFactory(listing=application, distributor=distributor, region_code="320100")
    outsiders = [
        UserFactory(organization=distributor, roles=[Role.SUPPLIER_SALES]),
        UserFactory(organization=HospitalFactory(), roles=[Role.HOSPITAL_PURCHASER]),
        UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES]),
    ]
    for who in (sales, officer):
        assert [e.pk for e in listing_evidence_list(actor=who, listing_id=application.pk)] == [
            evidence.pk
        ]
        got = listing_evidence_get(actor=who, listing_id=application.pk, evidence_id=evidence.pk)
        assert bytes(got.content) == PDF
    for who in outsiders:
        assert code_of(
            lambda who=who: listing_evidence_list(actor=who, listing_id=application.pk)
        ) == ("not_found")
        assert (
            code_of(
                lambda who=who: listing_evidence_get(
                    actor=who, listing_id=application.pk, evidence_id=evidence.pk
                )
            )
            == "not_found"
        )


def test_R_LIST_OTHER_the_bureaus_approval_records_each_file_checked(sales, application, officer):
    evidence = attach(sales, application, PDF)
    services.listing_submit(actor=sales, listing_id=application.pk)
    services.listing_approve(actor=officer, listing_id=application.pk, provinces_checked=True)
    evidence.refresh_from_db()
    assert evidence.checked_by == officer
    assert evidence.checked_at is not None


def test_evidence_file_name_has_no_control_characters_and_is_bounded():
    assert evidence_file_name("a\x00b\u202e.pdf", "application/pdf") == "ab.pdf"
    assert len(evidence_file_name("名" * 500 + ".pdf", "application/pdf")) == 200
    assert evidence_file_name("", "image/png").endswith(".png")


# --- API ---------------------------------------------------------------------------------------


def upload(client, listing, content, *, name="证明.pdf", province="11"):
    return client.post(
        f"/api/v1/procurement/listings/{listing.pk}/evidence/",
        {"province": province, "file": SimpleUploadedFile(name, content, "application/pdf")},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=f"evidence-{len(content)}-{name}",
    )


def test_R_LIST_OTHER_api_takes_a_file_as_multipart_and_serves_it_to_the_bureau(
    sales, application, officer
):
    response = upload(client_for(sales), application, png(), name="北京平台截图.jpg")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["province_code"], body["content_type"], body["name"], body["size"]) == (
        "11",
        "image/png",
        "北京平台截图.png",
        len(png()),
    )
    listed = client_for(officer).get(f"/api/v1/procurement/listings/{application.pk}/evidence/")
    assert [row["id"] for row in listed.json()] == [body["id"]]
    download = client_for(officer).get(body["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download.content == png()


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        pytest.param(b"MZ\x90\x00 a program", 400, "evidence_file_invalid", id="disguised"),
        pytest.param(png()[:30], 400, "evidence_file_invalid", id="truncated"),
        pytest.param(
            PDF + b" " * EVIDENCE_FILE_MAX_BYTES, 413, "evidence_file_too_large", id="oversized"
        ),
    ],
)
def test_R_LIST_OTHER_api_refuses_bad_files_in_the_envelope_and_stores_nothing(
    sales, application, content, status, code
):
    response = upload(client_for(sales), application, content)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message", "extra"}
    assert not ListingEvidenceFile.objects.exists()


def test_R_LIST_OTHER_api_without_a_file_is_invalid(sales, application):
    response = client_for(sales).post(
        f"/api/v1/procurement/listings/{application.pk}/evidence/",
        {"province": "11"},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_R_LIST_OTHER_api_hides_the_files_from_others(sales, application, purchaser):
    evidence = attach(sales, application, PDF)
    base = f"/api/v1/procurement/listings/{application.pk}/evidence/"
    for url in (base, f"{base}{evidence.pk}/"):
        response = client_for(purchaser).get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


# --- the pages ---------------------------------------------------------------------------------


def test_R_LIST_OTHER_supplier_attaches_on_the_page_and_the_bureau_downloads_and_confirms(
    sales, application, officer
):
    page = f"/procurement/listings/{application.pk}/"
    supplier = browser(sales)
    form = supplier.get(page).content.decode()
    assert "data-evidence-upload" in form
    assert "5 MB" in form  # the limit is stated on the form
    response = supplier.post(
        f"{page}evidence/",
        {"province": "12", "file": SimpleUploadedFile("天津公告.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    evidence = ListingEvidenceFile.objects.get()
    assert (evidence.province_code, evidence.name) == ("12", "天津公告.pdf")
    # A disguised file is refused with its reason on the page, and nothing more is stored.
    refused = supplier.post(
        f"{page}evidence/",
        {"province": "12", "file": SimpleUploadedFile("x.pdf", b"MZ\x90", "application/pdf")},
        follow=True,
    )
    assert "x.pdf" in refused.content.decode()
    assert ListingEvidenceFile.objects.count() == 1
    services.listing_submit(actor=sales, listing_id=application.pk)

    bureau = browser(officer)
    review = bureau.get(page).content.decode()
    link = f"{page}evidence/{evidence.pk}/"
    assert link in review
    assert "天津公告.pdf" in review
    download = bureau.get(link)
    assert (download.status_code, download["Content-Type"], download.content) == (
        200,
        "application/pdf",
        PDF,
    )
    bureau.post(f"{page}approve/", {"reason": "", "provinces_checked": "on"})
    evidence.refresh_from_db()
    assert evidence.checked_by == officer
    assert "data-evidence-checked" in bureau.get(page).content.decode()


def test_R_LIST_OTHER_a_hospital_sees_the_listing_page_but_not_the_files(
    sales, application, officer, purchaser
):
    evidence = attach(sales, application, PDF)
    services.listing_submit(actor=sales, listing_id=application.pk)
    services.listing_approve(actor=officer, listing_id=application.pk, provinces_checked=True)
    page = f"/procurement/listings/{application.pk}/"
    hospital = browser(purchaser)
    shown = hospital.get(page)
    assert shown.status_code == 200
    assert "data-evidence-files" not in shown.content.decode()
    assert hospital.get(f"{page}evidence/{evidence.pk}/").status_code == 404
