import datetime as dt

import pytest
from stdnum import ean

from catalog.barcodes import ScannedBarcode, parse_barcode
from catalog.errors import BarcodeInvalidError

GS = "\x1d"


def gtin14(payload: str) -> str:
    """A GTIN-14 with a correct check digit, from its first 13 digits."""
    assert len(payload) == 13
    return payload + ean.calc_check_digit(payload)


GTIN = gtin14("0690123456789")  # 06901234567892, GS1 China prefix 690
CASE_GTIN = gtin14("1690123456789")  # packaging indicator 1: a case of the same item
WRONG_GTIN = GTIN[:-1] + str((int(GTIN[-1]) + 1) % 10)


def test_helper_gtins_are_valid_and_wrong_one_is_not():
    assert GTIN == "06901234567892"
    assert ean.is_valid(GTIN)
    assert ean.is_valid(CASE_GTIN)
    assert not ean.is_valid(WRONG_GTIN)


# --- GS1 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            f"]d201{GTIN}11240101172512311" + f"0ABC{GS}21XYZ",
            {"lot": "ABC", "serial": "XYZ", "production": "2024-01-01", "expiry": "2025-12-31"},
            id="datamatrix-fnc1",
        ),
        pytest.param(
            f"]C101{GTIN}17251231" + f"10LOT-7{GS}21SN0001",
            {"lot": "LOT-7", "serial": "SN0001", "expiry": "2025-12-31"},
            id="gs1-128",
        ),
        pytest.param(
            f"01{GTIN}10ABC{GS}17251231{GS}",
            {"lot": "ABC", "expiry": "2025-12-31"},
            id="no-symbology-separator-everywhere",
        ),
        pytest.param(
            f"(01){GTIN}(17)251231(10)ABC",
            {"lot": "ABC", "expiry": "2025-12-31"},
            id="human-readable",
        ),
        pytest.param(
            f"(01) {GTIN} (11) 240315 (21) 42",
            {"serial": "42", "production": "2024-03-15"},
            id="human-readable-with-spaces",
        ),
        pytest.param(
            f"https://id.gs1.org/01/{GTIN}/10/ABC?17=251231",
            {"lot": "ABC", "expiry": "2025-12-31"},
            id="digital-link",
        ),
        pytest.param(
            f"https://udi.example.cn/scan/01/{GTIN}/21/SN1?17=260630&11=240630",
            {"serial": "SN1", "production": "2024-06-30", "expiry": "2026-06-30"},
            id="digital-link-custom-domain",
        ),
        pytest.param(
            f"https://id.gs1.org/01/{GTIN[1:]}",
            {},
            id="digital-link-gtin13-zero-filled",
        ),
        pytest.param(f"]Q3https://id.gs1.org/01/{GTIN}", {}, id="qr-digital-link"),
        pytest.param(GTIN[1:], {}, id="bare-ean13"),
        pytest.param(GTIN, {}, id="bare-gtin14"),
        pytest.param(f"  01{GTIN}\r\n", {}, id="scanner-newline"),
    ],
)
def test_gs1_carriers(value, expected):
    barcode = parse_barcode(value)

    assert barcode.agency == "gs1"
    assert barcode.di == GTIN
    assert barcode.lot == expected.get("lot")
    assert barcode.serial == expected.get("serial")
    production = expected.get("production")
    expiry = expected.get("expiry")
    assert barcode.production_date == (dt.date.fromisoformat(production) if production else None)
    assert barcode.expiry_date == (dt.date.fromisoformat(expiry) if expiry else None)
    assert barcode.raw == value.strip()


def test_gs1_case_level_gtin_keeps_its_packaging_indicator():
    assert parse_barcode(f"01{CASE_GTIN}10A").di == CASE_GTIN


def test_gs1_day_00_means_last_day_of_month():
    assert parse_barcode(f"01{GTIN}17240200").expiry_date == dt.date(2024, 2, 29)
    assert parse_barcode(f"01{GTIN}17250200").expiry_date == dt.date(2025, 2, 28)


def test_bare_gtin_has_no_production_identifiers():
    barcode = parse_barcode(GTIN)

    assert barcode == ScannedBarcode(agency="gs1", di=GTIN, raw=GTIN)
    assert not barcode.has_production_identifiers


@pytest.mark.parametrize(
    ("value", "reason", "extra"),
    [
        pytest.param("", "empty", {}, id="empty"),
        pytest.param(" \r\n", "empty", {}, id="whitespace"),
        pytest.param("hello world", "unknown_structure", {}, id="text"),
        pytest.param("https://example.com/product/42", "unknown_structure", {}, id="other-url"),
        pytest.param("]", "unknown_structure", {}, id="lone-bracket"),
        pytest.param(
            f"01{WRONG_GTIN}10ABC",
            "bad_check_digit",
            {"gtin": WRONG_GTIN, "actual": 3, "expected": 2},
            id="element-string",
        ),
        pytest.param(f"(01){WRONG_GTIN}(10)ABC", "bad_check_digit", {}, id="human-readable"),
        pytest.param(
            f"https://id.gs1.org/01/{WRONG_GTIN}", "bad_check_digit", {}, id="digital-link"
        ),
        pytest.param(WRONG_GTIN[1:], "bad_check_digit", {"gtin": WRONG_GTIN[1:]}, id="bare-ean13"),
        pytest.param(
            f"01{GTIN}17251332" + "10ABC",
            "bad_date",
            {"field": "(17)", "date": "251332"},
            id="month-13",
        ),
        pytest.param(
            f"01{GTIN}17250230" + "10ABC",
            "bad_date",
            {"field": "(17)", "date": "250230"},
            id="february-30",
        ),
        pytest.param(f"01{GTIN}11241301", "bad_date", {"field": "(11)"}, id="production-month-13"),
        pytest.param(f"(01){GTIN}(17)251332", "bad_date", {"date": "251332"}, id="human-readable"),
        pytest.param(
            f"https://id.gs1.org/01/{GTIN}/10/ABC?17=251332",
            "bad_date",
            {"date": "251332"},
            id="digital-link",
        ),
        pytest.param("10ABC", "missing_di", {}, id="lot-only"),
        pytest.param(f"(02){GTIN}(37)10", "missing_di", {}, id="contained-gtin-only"),
        pytest.param("https://id.gs1.org/00/106141412345678908", "missing_di", {}, id="sscc-link"),
        pytest.param(f"(01){GTIN[1:]}(10)A", "bad_gs1_syntax", {}, id="gtin-13-in-ai-01"),
        pytest.param(f"01{GTIN[:8]}", "bad_gs1_syntax", {}, id="truncated"),
        pytest.param(
            f"01{GTIN}11250101" + "17240101",
            "expiry_before_production",
            {"production_date": "2025-01-01", "expiry_date": "2024-01-01"},
            id="expiry-before-production",
        ),
    ],
)
def test_gs1_errors_name_the_reason(value, reason, extra):
    with pytest.raises(BarcodeInvalidError) as caught:
        parse_barcode(value)

    assert caught.value.code == "barcode_invalid"
    assert caught.value.extra["reason"] == reason
    for key, expected in extra.items():
        assert caught.value.extra[key] == expected


def test_error_value_shows_the_separator_visibly():
    with pytest.raises(BarcodeInvalidError) as caught:
        parse_barcode(f"01{WRONG_GTIN}10ABC{GS}21X")

    assert caught.value.extra["value"] == f"01{WRONG_GTIN}10ABC<GS>21X"


# --- MA (IDcode) -----------------------------------------------------------------------------

MA_DI = "MA.156.M0.100761.21234561"
# A code in circulation whose product code is longer than the handbook's 8 characters.
MA_LONG = "MA.156.M0.100350.01004YA10017.SLMSAGAAAC.M210628.LAY21062803.E220628.V220627.C3"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            f"{MA_DI}.Sx00008.M220117.L20220117.D20220118.E220130.V220117.C3",
            ScannedBarcode(
                agency="ma",
                di=MA_DI,
                serial="x00008",
                production_date=dt.date(2022, 1, 17),
                lot="20220117",
                sterilisation_lot="20220118",
                expiry_date=dt.date(2022, 1, 30),
                raw=f"{MA_DI}.Sx00008.M220117.L20220117.D20220118.E220130.V220117.C3",
            ),
            id="all-segments",
        ),
        pytest.param(
            MA_LONG,
            ScannedBarcode(
                agency="ma",
                di="MA.156.M0.100350.01004YA10017",
                serial="LMSAGAAAC",
                production_date=dt.date(2021, 6, 28),
                lot="AY21062803",
                expiry_date=dt.date(2022, 6, 28),
                raw=MA_LONG,
            ),
            id="long-product-code",
        ),
        pytest.param(
            "MA.156.M0.100472.11103316.S1576130942.P190101.LABS20191201.E191201.C7",
            ScannedBarcode(
                agency="ma",
                di="MA.156.M0.100472.11103316",
                serial="1576130942",
                production_date=dt.date(2019, 1, 1),
                lot="ABS20191201",
                expiry_date=dt.date(2019, 12, 1),
                raw="MA.156.M0.100472.11103316.S1576130942.P190101.LABS20191201.E191201.C7",
            ),
            id="p-production-date",
        ),
        pytest.param(
            f"]Q1{MA_DI}.L2024A.M20240105.E20290104",
            ScannedBarcode(
                agency="ma",
                di=MA_DI,
                lot="2024A",
                production_date=dt.date(2024, 1, 5),
                expiry_date=dt.date(2029, 1, 4),
                raw=f"]Q1{MA_DI}.L2024A.M20240105.E20290104",
            ),
            id="qr-symbology-8-digit-dates",
        ),
        pytest.param(
            "MA.156.M0.100011.2cscp023",
            ScannedBarcode(
                agency="ma", di="MA.156.M0.100011.2cscp023", raw="MA.156.M0.100011.2cscp023"
            ),
            id="di-only-lowercase",
        ),
    ],
)
def test_ma_codes(value, expected):
    assert parse_barcode(value) == expected


@pytest.mark.parametrize(
    ("value", "reason", "extra"),
    [
        pytest.param("MA.156.M0.10076.21234561", "bad_di", {"agency": "MA"}, id="registrant-5"),
        pytest.param("MA.156.M0.100761", "bad_di", {"di": "MA.156.M0.100761"}, id="no-product"),
        pytest.param("MA.156.M0.100761.2", "bad_di", {}, id="product-too-short"),
        pytest.param("MA.15.M0.100761.21234561", "bad_di", {}, id="country-2-digits"),
        pytest.param(f"{MA_DI}.X1", "bad_segment", {"segment": "X1"}, id="unknown-letter"),
        pytest.param(f"{MA_DI}..L1", "bad_segment", {"segment": "."}, id="empty-segment"),
        pytest.param(f"{MA_DI}.L", "bad_segment", {"segment": "L"}, id="empty-lot"),
        pytest.param(f"{MA_DI}.M2201", "bad_segment", {"segment": "M2201"}, id="short-date"),
        pytest.param(f"{MA_DI}.C12", "bad_segment", {"segment": "C12"}, id="long-check"),
        pytest.param(f"{MA_DI}.L批号1", "bad_segment", {}, id="non-ascii-lot"),
        pytest.param(
            f"{MA_DI}.M220230", "bad_date", {"field": "M", "date": "220230"}, id="february-30"
        ),
        pytest.param(f"{MA_DI}.E20241301", "bad_date", {"field": "E"}, id="month-13"),
        pytest.param(f"{MA_DI}.V221232", "bad_date", {"field": "V"}, id="validity-checked"),
        pytest.param(f"{MA_DI}.M220117.P220118", "duplicate_segment", {"field": "P"}, id="m-and-p"),
        pytest.param(f"{MA_DI}.L1.L2", "duplicate_segment", {"field": "L"}, id="two-lots"),
        pytest.param(
            f"{MA_DI}.M240101.E230101",
            "expiry_before_production",
            {"production_date": "2024-01-01", "expiry_date": "2023-01-01"},
            id="expiry-before-production",
        ),
    ],
)
def test_ma_errors_name_the_reason(value, reason, extra):
    with pytest.raises(BarcodeInvalidError) as caught:
        parse_barcode(value)

    assert caught.value.extra["reason"] == reason
    for key, expected in extra.items():
        assert caught.value.extra[key] == expected


# --- AHM (阿里健康) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            "MF1234567890123BA20220101*SN000123*MD220101ED250101",
            ScannedBarcode(
                agency="ahm",
                di="MF1234567890123",
                lot="20220101",
                serial="000123",
                production_date=dt.date(2022, 1, 1),
                expiry_date=dt.date(2025, 1, 1),
                raw="MF1234567890123BA20220101*SN000123*MD220101ED250101",
            ),
            id="lot-serial-dates",
        ),
        pytest.param(
            "MF12345678MD230501BD260430PL1BAL2305",
            ScannedBarcode(
                agency="ahm",
                di="MF12345678",
                lot="L2305",
                production_date=dt.date(2023, 5, 1),
                raw="MF12345678MD230501BD260430PL1BAL2305",
            ),
            id="fixed-fields-first-lot-last",
        ),
        pytest.param(
            "MF12345678BNA1*",
            ScannedBarcode(agency="ahm", di="MF12345678", lot="A1", raw="MF12345678BNA1*"),
            id="bn-lot-trailing-terminator",
        ),
        pytest.param(
            "MF12345678",
            ScannedBarcode(agency="ahm", di="MF12345678", raw="MF12345678"),
            id="di-only",
        ),
    ],
)
def test_ahm_codes(value, expected):
    assert parse_barcode(value) == expected


@pytest.mark.parametrize(
    ("value", "reason", "extra"),
    [
        pytest.param("MFABC", "bad_di", {"agency": "AHM"}, id="no-digits"),
        pytest.param("MF12345678901234", "bad_di", {}, id="14-digits"),
        pytest.param("MF12345678XX1", "bad_segment", {"segment": "XX1"}, id="unknown-field"),
        pytest.param("MF12345678MD2201", "bad_segment", {"segment": "MD2201"}, id="short-date"),
        pytest.param("MF12345678BA*SN1", "bad_segment", {"segment": "BA"}, id="empty-lot"),
        pytest.param("MF12345678PLX", "bad_segment", {}, id="packaging-not-digit"),
        pytest.param("MF12345678MD221301", "bad_date", {"field": "MD"}, id="month-13"),
        pytest.param("MF12345678ED230229", "bad_date", {"date": "230229"}, id="not-leap-year"),
        pytest.param("MF12345678BA1*BA2", "duplicate_segment", {"field": "BA"}, id="two-lots"),
        pytest.param(
            "MF12345678MD240101ED230101",
            "expiry_before_production",
            {"production_date": "2024-01-01"},
            id="expiry-before-production",
        ),
    ],
)
def test_ahm_errors_name_the_reason(value, reason, extra):
    with pytest.raises(BarcodeInvalidError) as caught:
        parse_barcode(value)

    assert caught.value.extra["reason"] == reason
    for key, expected in extra.items():
        assert caught.value.extra[key] == expected
