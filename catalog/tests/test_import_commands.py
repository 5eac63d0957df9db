"""manage.py import_catalog and import_udi: thin commands over catalog/services/imports.py."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper

from catalog.management.commands._import import ProgressBar
from catalog.models import Consumable, DeviceIdentifier
from catalog.tests.factories import (
    PLATE_BASE,
    RELEASE_HEADERS,
    UDI_HEADERS,
    ConsumableFactory,
    DeviceIdentifierFactory,
    catalog_row,
    nhsa_code,
    release_row,
    udi_row,
    write_import_csv,
)

pytestmark = pytest.mark.django_db


def command(name, *args):
    out = io.StringIO()
    call_command(name, *map(str, args), stdout=out)
    return out.getvalue()


def test_import_catalog_prints_the_summary(tmp_path):
    path = write_import_csv(tmp_path / "catalog.csv", [catalog_row(1), catalog_row(2)])

    output = command("import_catalog", path)

    lines = output.splitlines()
    assert lines[0] == "catalog.csv: csv, utf-8, export layout, 2 rows"
    assert lines[1:5] == ["inserted:  2", "updated:   0", "unchanged: 0", "rejected:  0"]
    assert "\r" not in output  # no progress bar when the output is not a terminal
    assert Consumable.objects.count() == 2


def test_a_refused_import_prints_the_rejections_and_fails(tmp_path):
    path = write_import_csv(tmp_path / "catalog.csv", [catalog_row(1), catalog_row(2, code="C1")])
    out = io.StringIO()

    with pytest.raises(CommandError) as excinfo:
        call_command("import_catalog", str(path), stdout=out)

    assert excinfo.value.returncode == 1
    assert "nothing was imported" in str(excinfo.value)
    output = out.getvalue()
    assert "rejected:  1" in output
    assert f"rejected rows: {tmp_path / 'catalog.rejected.csv'}" in output
    assert "  row 3 医用耗材代码: " in output
    assert not Consumable.objects.exists()


def test_partial_and_report_options(tmp_path):
    path = write_import_csv(tmp_path / "catalog.csv", [catalog_row(1), catalog_row(2, code="C1")])
    report = tmp_path / "out" / "rejects.csv"

    output = command("import_catalog", path, "--partial", "--report", report)

    assert "inserted:  1" in output
    assert "rejected:  1" in output
    assert report.exists()
    assert Consumable.objects.count() == 1


def test_a_wrong_header_is_a_command_error_naming_the_columns(tmp_path):
    path = write_import_csv(tmp_path / "catalog.csv", [catalog_row(1)], drop=("code", "model"))

    with pytest.raises(CommandError) as excinfo:
        call_command("import_catalog", str(path), stdout=io.StringIO())

    assert "医用耗材代码, 型号" in str(excinfo.value)


def test_import_catalog_names_the_release_layout_and_its_previous_codes(tmp_path):
    old = ConsumableFactory(code=f"{PLATE_BASE}0000009")
    rows = [release_row(1, previous_code=old.code, previous_status="停用"), release_row(2)]
    path = write_import_csv(tmp_path / "C03.csv", rows, headers=RELEASE_HEADERS, encoding="gbk")

    output = command("import_catalog", path)

    assert output.splitlines()[:7] == [
        "C03.csv: csv, gbk, release layout, 2 rows",
        "inserted:  2",
        "updated:   0",
        "unchanged: 0",
        "rejected:  0",
        "previous codes recorded: 1",
        "previous codes retired:  1",
    ]


def test_import_udi_prints_conflicts_and_unlinked(tmp_path):
    current = ConsumableFactory(code=nhsa_code(1))
    ConsumableFactory(code=nhsa_code(2))
    DeviceIdentifierFactory(consumable=current, di=udi_row(1)["di"])
    rows = [udi_row(1, nhsa_code=nhsa_code(2)), udi_row(2), udi_row(3)]
    path = write_import_csv(tmp_path / "udi.csv", rows, headers=UDI_HEADERS)

    output = command("import_udi", path)

    assert output.splitlines()[1:7] == [
        "inserted:  2",
        "updated:   0",
        "unchanged: 0",
        "rejected:  0",
        "conflicts: 1",
        "unlinked:  1",
    ]
    assert DeviceIdentifier.objects.count() == 3


def test_the_progress_bar_redraws_one_line():
    out = io.StringIO()
    bar = ProgressBar(OutputWrapper(out), total=200)

    bar.update(50)
    bar.update(200)
    bar.finish()

    text = out.getvalue()
    assert text.count("\r") == 2
    assert "[#######-----------------------]  25% 50/200 rows" in text
    assert " 100% 200/200 rows" in text
    assert text.endswith("\n")
