"""Threshold notifications [R-FIVE-RATES]: freezing a month tells each hospital and supplier
below a threshold which rates it misses, with a link to its own five rates of that month;
once a month and party however often and however concurrently the month is frozen."""

from __future__ import annotations

import threading

import pytest
import time_machine
from django.db import connection

from supervision.choices import NotificationKind
from supervision.models import Notification
from supervision.selectors.notifications import notification_list
from supervision.services.five_rates import five_rates_freeze
from supervision.tests.rates_world import at, make_rates_world, order_line, ship

FIRST_OF_DECEMBER = at(1, 3, 0, month=12)
LINK = "/supervision/five-rates/?month=2026-11"


def _november(w):
    """鼓楼医院 with 甲器械: one delivery on time, one late (below 90%); 玄武医院 with 乙器械:
    on time (100%, above every threshold)."""
    on_time = order_line(w, quantity=1, price="10.00", submitted_at=at(10))
    ship(on_time, quantity=1, shipped_at=at(11))
    late = order_line(w, quantity=1, price="30.00", submitted_at=at(10))
    ship(late, quantity=1, shipped_at=at(20))
    fine = order_line(
        w,
        quantity=1,
        price="50.00",
        submitted_at=at(10),
        hospital=w.other_hospital,
        supplier=w.other_supplier,
    )
    ship(fine, quantity=1, shipped_at=at(11))


def _told(org):
    return list(Notification.objects.filter(organization=org, kind=NotificationKind.FIVE_RATES))


@pytest.mark.django_db
def test_freezing_notifies_the_parties_below_threshold_with_a_link_r_five_rates():
    w = make_rates_world()
    _november(w)
    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        five_rates_freeze()
    (hospital_note,) = _told(w.hospital)
    (supplier_note,) = _told(w.supplier)
    for note in (hospital_note, supplier_note):
        assert note.link == LINK
        assert "2026-11" in note.text
        assert "配送率" in note.text  # the rate it misses, in the platform's language
        assert note.person_id is None  # everyone of the organisation reads it
    assert "结算率" not in hospital_note.text  # not a rate it has nothing to count in
    assert _told(w.other_hospital) == []
    assert _told(w.other_supplier) == []
    assert not Notification.objects.filter(organization=w.bureau.organization).exists()
    # The hospital's purchaser reads it; the other hospital's does not.
    assert [n.pk for n in notification_list(actor=w.purchaser)] == [hospital_note.pk]
    assert not notification_list(actor=w.other_purchaser).exists()


@pytest.mark.django_db
def test_the_link_opens_the_partys_own_rates_of_that_month_r_five_rates(client):
    w = make_rates_world()
    _november(w)
    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        five_rates_freeze()
        (note,) = _told(w.hospital)
        client.force_login(w.purchaser)
        page = client.get(note.link)
    assert page.status_code == 200
    body = page.content.decode()
    assert "鼓楼医院" in body
    assert "玄武医院" not in body  # its own row, ranked among its peers, not theirs
    assert "2026-11" in body


@pytest.mark.django_db
def test_freezing_twice_notifies_once_r_five_rates():
    w = make_rates_world()
    _november(w)
    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        five_rates_freeze()
        five_rates_freeze()
    assert len(_told(w.hospital)) == 1
    assert len(_told(w.supplier)) == 1


@pytest.mark.django_db
def test_a_month_with_everyone_above_threshold_notifies_nobody_r_five_rates():
    w = make_rates_world()
    fine = order_line(w, quantity=1, price="50.00", submitted_at=at(10))
    ship(fine, quantity=1, shipped_at=at(11))
    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        five_rates_freeze()
    assert not Notification.objects.filter(kind=NotificationKind.FIVE_RATES).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_freezes_notify_each_party_once_r_five_rates():
    """Four workers freeze November at the same moment (real PostgreSQL, one connection
    each): the losers' notifications roll back with their snapshot."""
    w = make_rates_world()
    _november(w)
    count = 4
    barrier = threading.Barrier(count)
    errors: list = []

    def run():
        try:
            barrier.wait(60)
            five_rates_freeze()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        threads = [threading.Thread(target=run) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert errors == []
    assert len(_told(w.hospital)) == 1
    assert len(_told(w.supplier)) == 1
    assert Notification.objects.filter(kind=NotificationKind.FIVE_RATES).count() == 2
