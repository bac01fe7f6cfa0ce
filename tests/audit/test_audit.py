"""The audit trail: a hash chain that the database keeps append-only, `verify_audit` that finds tampering,
and the audit page of a unit, person or council."""

import datetime
import os
import subprocess
import sys
import threading
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import GENESIS_HASH, audit_record, audit_verify
from organizations import services as org_services
from tests import factories

UNIT = "organizations.unit"
PERSON = "organizations.person"
COUNCIL = "organizations.council"


def _record_many(count: int, obj=None, actor=None, verb="test.event") -> list[AuditEvent]:
    return [audit_record(actor=actor, verb=verb, obj=obj, data={"n": i}) for i in range(count)]


def _behind_the_applications_back(sql: str, params=()) -> None:
    """Run SQL with the append-only trigger off, as an intruder with the table owner's rights would."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


def _verify_output() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def _audit_url(object_type, object_id) -> str:
    return reverse("audit_object", kwargs={"object_type": object_type, "object_id": object_id})


# The chain -------------------------------------------------------------------------------------------


def test_events_form_a_hash_chain(org, admin_user):
    first, second, third = _record_many(3, obj=org.unit_a, actor=admin_user)

    assert [second.seq, third.seq] == [first.seq + 1, first.seq + 2]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    stored = AuditEvent.objects.get(pk=second.pk)
    assert (stored.actor_username, stored.object_type, stored.object_id, stored.object_repr) == (
        "sysadmin",
        UNIT,
        str(org.unit_a.pk),
        org.unit_a.name,
    )


def test_a_rolled_back_write_leaves_no_event_and_no_gap(org):
    before = audit_record(actor=None, verb="test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, verb="test.rolled_back")
        raise RuntimeError("the write failed after its event was recorded")
    after = audit_record(actor=None, verb="test.kept")

    assert not AuditEvent.objects.filter(verb="test.rolled_back").exists()
    assert after.seq == before.seq + 1
    assert after.prev_hash == before.hash
    assert audit_verify().ok


def test_data_reads_back_exactly_as_it_was_hashed(org):
    """Dates, decimals and floats that jsonb stores differently (1e16, -0.0) must not break the chain."""
    event = audit_record(
        actor=None,
        verb="test.data",
        obj=org.person_a,
        data={
            "on": datetime.date(2026, 3, 1),
            "amount": Decimal("1490000.50"),
            "huge": 1e16,
            "zero": -0.0,
            "ratio": 0.7,
            "name": "Nguyễn Thị Hoà",
            "nested": {"b": [1, 2.0], "a": None},
        },
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.data["on"] == "2026-03-01"
    assert stored.data["huge"] == 10**16
    result = audit_verify()
    assert result.ok, result.reason


def test_the_database_refuses_update_and_delete(org):
    event = audit_record(actor=None, verb="test.original", obj=org.unit_a, data={"name": "A"})

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(verb="test.forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.data = {"name": "B"}
        event.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.verb, stored.data) == ("test.original", {"name": "A"})


# verify_audit ----------------------------------------------------------------------------------------


def test_verify_audit_passes_on_an_intact_chain(org):
    _record_many(3, obj=org.unit_a)
    assert "Chuỗi nhật ký toàn vẹn: 3 sự kiện đã kiểm tra." in _verify_output()


def test_verify_audit_passes_on_an_empty_chain(db):
    assert "Chuỗi nhật ký toàn vẹn: 0 sự kiện đã kiểm tra." in _verify_output()


def test_verify_audit_catches_data_edited_behind_the_applications_back(org):
    events = _record_many(5, obj=org.unit_a)
    target = events[2]
    _behind_the_applications_back("UPDATE audit_auditevent SET data = %s WHERE seq = %s", ['{"n": 999}', target.seq])

    with pytest.raises(CommandError, match=rf"seq {target.seq}\b") as caught:
        call_command("verify_audit", stdout=StringIO())
    assert "test.event" in str(caught.value)
    result = audit_verify()
    assert (result.ok, result.checked, result.first_broken.seq) == (False, 2, target.seq)


def test_verify_audit_catches_an_event_whose_hash_was_recomputed(org):
    """Rewriting an event and its hash moves the break to the next event, whose prev_hash no longer fits."""
    from audit.services import compute_hash

    events = _record_many(4, obj=org.unit_a)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.data = {"n": "forged"}
    _behind_the_applications_back(
        "UPDATE audit_auditevent SET data = %s, hash = %s WHERE seq = %s",
        ['{"n": "forged"}', compute_hash(forged.prev_hash, forged), forged.seq],
    )

    result = audit_verify()
    assert (result.ok, result.first_broken.seq) == (False, events[2].seq)


def test_verify_audit_catches_a_deleted_middle_event_as_a_gap(org):
    events = _record_many(5, obj=org.unit_a)
    _behind_the_applications_back("DELETE FROM audit_auditevent WHERE seq = %s", [events[2].seq])

    result = audit_verify()
    assert (result.ok, result.checked, result.first_broken.seq) == (False, 2, events[3].seq)
    assert str(events[2].seq) in result.reason
    with pytest.raises(CommandError, match=rf"seq {events[3].seq}\b"):
        call_command("verify_audit", stdout=StringIO())


def test_verify_audit_catches_deleted_last_events(org):
    events = _record_many(5, obj=org.unit_a)
    _behind_the_applications_back("DELETE FROM audit_auditevent WHERE seq >= %s", [events[3].seq])

    result = audit_verify()
    assert (result.ok, result.checked, result.first_broken.seq) == (False, 3, events[2].seq)
    assert str(events[4].seq) in result.reason


@pytest.mark.django_db(transaction=True)
def test_manage_py_verify_audit_exits_non_zero_naming_the_event():
    events = _record_many(3)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": _test_database_url()}

    def verify_audit():
        return subprocess.run(
            [sys.executable, "manage.py", "verify_audit"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    intact = verify_audit()
    assert intact.returncode == 0, intact.stderr
    assert "3 sự kiện đã kiểm tra" in intact.stdout

    _behind_the_applications_back(
        "UPDATE audit_auditevent SET verb = %s WHERE seq = %s", ["test.forged", events[1].seq]
    )
    broken = verify_audit()
    assert broken.returncode == 1
    assert f"seq {events[1].seq}," in broken.stderr


def _test_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


# Concurrency -----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_produce_one_valid_chain():
    start = threading.Barrier(2)
    errors = []

    def writer(name):
        try:
            start.wait(timeout=10)
            for i in range(20):
                with transaction.atomic():
                    audit_record(actor=None, verb=f"test.{name}", data={"i": i})
        except Exception as exc:  # reported below: an exception in a thread does not fail the test
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + 40))
    assert AuditEvent.objects.filter(verb="test.left").count() == 20
    assert AuditEvent.objects.filter(verb="test.right").count() == 20
    result = audit_verify()
    assert (result.ok, result.checked) == (True, 40), result.reason


# The audit page --------------------------------------------------------------------------------------


def test_admin_sees_the_events_of_a_unit_newest_first(org, admin_user, client):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 17, 30, tzinfo=datetime.UTC), tick=False):
        org_services.unit_update(by=admin_user, unit=org.unit_a, name="Sở Giáo dục")
    with time_machine.travel(datetime.datetime(2026, 3, 2, 1, 5, tzinfo=datetime.UTC), tick=False):
        org_services.unit_update(by=admin_user, unit=org.unit_a, short_name="SGDĐT")
    audit_record(actor=admin_user, verb="test.elsewhere", obj=org.unit_b, data={"hidden": "Sở Y tế event"})
    client.force_login(admin_user)

    response = client.get(_audit_url(UNIT, org.unit_a.pk))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Sở Giáo dục" in text
    assert "Sở Giáo dục và Đào tạo → Sở Giáo dục" in text
    assert "— → SGDĐT" in text
    assert "sysadmin" in text
    # Asia/Ho_Chi_Minh is UTC+7: 17:30 UTC on 1 March is 00:30 on 2 March.
    assert "02/03/2026 00:30" in text and "02/03/2026 08:05" in text
    assert text.index("02/03/2026 08:05") < text.index("02/03/2026 00:30")
    assert "Sở Y tế event" not in text


def test_the_page_holds_50_events_and_pages_on(org, admin_user, client):
    events = _record_many(60, obj=org.unit_a, actor=admin_user)
    client.force_login(admin_user)
    url = _audit_url(UNIT, org.unit_a.pk)

    first = client.get(url).context["rows"]
    second = client.get(url, {"page": 2}).context["rows"]

    assert [row["event"].seq for row in first] == [e.seq for e in reversed(events[10:])]
    assert [row["event"].seq for row in second] == [e.seq for e in reversed(events[:10])]


@pytest.mark.parametrize(
    ("persona", "target", "expected"),
    [
        ("admin_user", "unit_a", 200),
        ("admin_user", "person_b", 200),
        ("admin_user", "council", 200),
        ("head_a", "unit_a", 200),
        ("head_a", "unit_a_child", 200),
        ("head_a", "person_a", 200),
        ("head_a", "unit_b", 404),
        ("head_a", "person_b", 404),
        ("head_a", "council", 404),
        ("officer_a", "unit_a", 403),
        ("officer_a", "person_a", 403),
        ("officer_b", "unit_a", 404),
        ("officer_b", "person_a", 404),
        ("secretariat", "council", 200),
        ("secretariat", "unit_a", 404),
        ("member", "council", 403),
        ("member", "unit_a", 404),
    ],
)
def test_who_may_read_an_objects_audit_trail(persona, target, expected, org, as_persona):
    obj = getattr(org, target)
    object_type = {"unit": UNIT, "person": PERSON, "council": COUNCIL}[obj._meta.model_name]
    audit_record(actor=None, verb="test.event", obj=obj, data={"secret": "visible only when allowed"})
    client = as_persona(persona)

    response = client.get(_audit_url(object_type, obj.pk))

    assert response.status_code == expected
    assert ("visible only when allowed" in response.content.decode()) == (expected == 200)


def test_anonymous_visitors_are_sent_to_the_login_page(org, client):
    response = client.get(_audit_url(UNIT, org.unit_a.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("object_type", "object_id"),
    [
        ("organizations.household", "1"),
        ("auth.user", "1"),
        ("nonsense", "1"),
        (UNIT, "999999999"),
        (UNIT, "abc"),
        (UNIT, "99999999999999999999999"),
        (PERSON, "-1"),
    ],
)
def test_unknown_types_and_objects_answer_404(object_type, object_id, org, admin_user, client):
    client.force_login(admin_user)
    assert client.get(_audit_url(object_type, object_id)).status_code == 404


@pytest.mark.parametrize("count", [5, 200])
def test_the_page_runs_a_constant_number_of_queries(count, org, head_a, client, django_assert_max_num_queries):
    actors = [factories.make_user() for _ in range(3)]
    for i in range(count):
        data = {"name": [f"A{i}", f"B{i}"]}
        audit_record(actor=actors[i % 3], verb="unit.updated", obj=org.unit_a, data=data)
    client.force_login(head_a)
    url = _audit_url(UNIT, org.unit_a.pk)

    with django_assert_max_num_queries(8):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["rows"]) == min(count, 50)


# The verification page and the admin ------------------------------------------------------------------


def test_admin_runs_the_verification_from_the_browser(org, admin_user, client):
    events = _record_many(4, obj=org.unit_a)
    client.force_login(admin_user)
    url = reverse("audit_verify")

    intact = client.get(url)
    assert intact.status_code == 200
    assert (intact.context["ok"], intact.context["checked"]) == (True, 4)

    _behind_the_applications_back("UPDATE audit_auditevent SET data = '{}' WHERE seq = %s", [events[1].seq])
    broken = client.get(url)
    assert broken.context["ok"] is False
    assert f">{events[1].seq}<" in broken.content.decode()


@pytest.mark.parametrize("persona", ["officer_a", "head_a", "secretariat"])
def test_only_admins_run_the_verification(persona, as_persona):
    assert as_persona(persona).get(reverse("audit_verify")).status_code == 403


def test_django_admin_lists_and_searches_events_but_changes_nothing(org, admin_user, client):
    audit_record(actor=admin_user, verb="role.granted", obj=org.unit_a, data={"role": "unit_head"})
    event = audit_record(actor=admin_user, verb="person.created", obj=org.person_a)
    client.force_login(admin_user)
    changelist = reverse("admin:audit_auditevent_changelist")

    found = client.get(changelist, {"q": "person.created"})
    assert found.status_code == 200
    assert list(found.context["cl"].result_list) == [event]
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403
    response = client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"verb": "forged"})
    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).verb == "person.created"
