"""Data for the reminder bench (issue 8): at a reference moment (`REFERENCE`, stored in the marker), every reminder
kind has real work in the demo province, on top of the 30,000 bench nominations (bench/nominations.py):

- an officer and a head on every current unit that lacks one (users `bench.rem.canbo.<unit pk>`,
  `bench.rem.thutruong.<unit pk>`, no password);
- campaign BENCH-REM-DK, launched over the whole province, registration deadline two days after the reference: a
  tenth of the units registered, the others owe their registration;
- campaign BENCH-REM-DN, registration closed 30 days and nominations 5 days before the reference (overdue, past
  the escalation): 60 % of the units registered a target, a tenth of those submitted a nomination for it;
- the bench nominations wait at the provincial council (due from 20 days before to 40 days after they were written);
  more nominations (`ACHIEVEMENT`) wait at up to `COUNCILS` other councils (the demo's own and new "[bench]"
  councils of communes, each with a secretariat and nine members), due from 10 days before to 10 days after;
- `sessions_for(scale)` open sessions (200 at province scale) of those councils, closing from 2 hours to 3 days
  after the reference, in which between none and all but one of the voting members have voted;
- per council, a public consultation that ended 4 days before with unanswered feedback and one closing in 2 days;
- per council's unit, two draft decisions: one drafted REMINDER_SIGNATURE_DAYS + 4 days before (overdue, past
  the escalation), one due in two days (with its signer `bench.rem.ky.<unit pk>`).

Written once with bulk_create and marked by an audit event; a later run reuses it when the marker matches, and
otherwise deletes what an earlier run left and writes it again. The reminder pass runs at the marker's reference
moment, so reused data gives the same reminders whatever the day; the scenario deletes the claims and
notifications it wrote."""

import random
import time
from datetime import datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.utils import timezone

from awards.models import (
    AwardType,
    Ballot,
    Consultation,
    ConsultationEntry,
    CouncilSession,
    Decision,
    Feedback,
    Nomination,
    ReviewStage,
)
from bench import nominations as bench_nominations
from campaigns.models import Campaign, Registration, RegistrationTarget
from notifications.reminders import VN
from organizations.models import (
    Council,
    CouncilMember,
    CouncilUserObjectPermission,
    Person,
    Unit,
    UnitUserObjectPermission,
)
from thiduakt.lib import permissions

MARKER = "bench.reminders"
PREFIX = "bench.rem."  # usernames of the users this module writes
CAMPAIGN_PREFIX = "BENCH-REM-"
TAG = "[bench-rem]"  # titles of the campaigns, sessions, consultations and decisions this module writes
COUNCIL_NAME = "[bench] Hội đồng Thi đua – Khen thưởng"
ACHIEVEMENT = "[bench-rem] Hoàn thành xuất sắc nhiệm vụ được giao."
COUNCILS = 20  # councils besides the provincial one, at most
MEMBERS = 9  # voting members of a new council
STAGES_PER_SCALE = 50  # nominations waiting at the other councils: 1,500 at scale 30
SESSIONS = 200
SEED = 2026
BATCH = 5_000


def sessions_for(scale: int) -> int:
    return min(SESSIONS, 7 * scale)


def ensure_data(scale: int) -> dict:
    """The marker's data ({"reference": ISO moment, counts...}), writing the data when missing or incomplete."""
    from audit.models import AuditEvent

    bench_nominations.ensure_nominations(bench_nominations.count_for(scale))
    marker = AuditEvent.objects.filter(verb=MARKER).order_by("-seq").values_list("data", flat=True).first()
    if marker and marker.get("scale") == scale and _counts() == marker.get("counts"):
        print("reusing the reminder bench data")
        return marker
    started = time.perf_counter()
    print("writing the reminder bench data…", flush=True)
    with transaction.atomic():
        _clear()
        reference = datetime.combine(timezone.localdate(), clock(9, 30), tzinfo=VN)
        _write(scale, reference)
        data = {"scale": scale, "reference": reference.isoformat(), "counts": _counts()}
        data["seconds"] = round(time.perf_counter() - started, 1)
        from audit.services import audit_record

        audit_record(actor=None, verb=MARKER, data=data)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"reminder bench data written in {data['seconds']} s: {data['counts']}")
    return data


def reference_of(data: dict) -> datetime:
    return datetime.fromisoformat(data["reference"])


def _counts() -> dict:
    return {
        "users": get_user_model().objects.filter(username__startswith=PREFIX).count(),
        "campaigns": Campaign.objects.filter(code__startswith=CAMPAIGN_PREFIX).count(),
        "registrations": Registration.objects.filter(campaign__code__startswith=CAMPAIGN_PREFIX).count(),
        "nominations": Nomination.objects.filter(achievement=ACHIEVEMENT).count(),
        "sessions": CouncilSession.objects.filter(title__startswith=TAG).count(),
        "consultations": Consultation.objects.filter(title__startswith=TAG).count(),
        "decisions": Decision.objects.filter(title__startswith=TAG).count(),
    }


def _clear() -> None:
    """What an earlier run wrote, in an order the PROTECT foreign keys accept."""
    Consultation.objects.filter(title__startswith=TAG).delete()
    CouncilSession.objects.filter(title__startswith=TAG).delete()
    Decision.objects.filter(title__startswith=TAG).delete()
    Nomination.objects.filter(achievement=ACHIEVEMENT).delete()
    Campaign.objects.filter(code__startswith=CAMPAIGN_PREFIX).delete()
    ours = get_user_model().objects.filter(username__startswith=PREFIX)
    CouncilMember.objects.filter(user__in=ours).delete()
    Council.objects.filter(name__startswith=COUNCIL_NAME).delete()
    ours.delete()


class _Users:
    """Users without a usable password, addresses on the reserved .invalid domain, one bulk_create per call."""

    def __init__(self):
        self.password = make_password(None)
        self.users = get_user_model()

    def make(self, names: list[tuple[str, str]]) -> list:
        rows = [
            self.users(
                username=PREFIX + name,
                first_name="Bench",
                last_name=label,
                email=f"{name}@bench.invalid",
                password=self.password,
            )
            for name, label in names
        ]
        return self.users.objects.bulk_create(rows, batch_size=BATCH)


def _write(scale: int, reference: datetime) -> None:
    rng = random.Random(SEED)
    users = _Users()
    today = reference.astimezone(VN).date()
    province = Unit.objects.filter(parent__isnull=True, kind=Unit.Kind.PROVINCE).order_by("pk").first()
    units = list(Unit.objects.filter(valid_to__isnull=True).order_by("path").only("pk", "path", "name"))
    officer = Permission.objects.get(content_type__app_label="organizations", codename=Unit.Role.OFFICER)
    head = Permission.objects.get(content_type__app_label="organizations", codename=Unit.Role.HEAD)
    signer = Permission.objects.get(content_type__app_label="organizations", codename=Unit.Role.SIGNER)
    secretariat = Permission.objects.get(content_type__app_label="organizations", codename=permissions.SECRETARIAT)

    # Officers and heads where missing.
    held = set(
        UnitUserObjectPermission.objects.filter(permission__in=[officer, head]).values_list(
            "content_object_id", "permission_id"
        )
    )
    grants = []
    for permission, word in ((officer, "canbo"), (head, "thutruong")):
        missing = [unit for unit in units if (unit.pk, permission.pk) not in held]
        made = users.make([(f"{word}.{unit.pk}", unit.name[:150]) for unit in missing])
        grants += [(user, permission, unit) for user, unit in zip(made, missing, strict=True)]

    # Councils: the demo's (but the provincial one) and new ones of communes, each with a secretariat and members.
    province_council = bench_nominations.province_council()
    councils = list(Council.objects.exclude(pk=province_council.pk).select_related("unit").order_by("pk"))
    taken = {council.unit_id for council in councils} | {province_council.unit_id}
    communes = Unit.objects.filter(kind=Unit.Kind.COMMUNE, valid_to__isnull=True).order_by("path")
    new_councils = [
        Council(unit=unit, name=f"{COUNCIL_NAME} {unit.name}", established_on=today - timedelta(days=100))
        for unit in communes
        if unit.pk not in taken
    ][: max(0, COUNCILS - len(councils))]
    councils += Council.objects.bulk_create(new_councils)
    with_secretariat = set(
        CouncilUserObjectPermission.objects.filter(permission=secretariat).values_list("content_object_id", flat=True)
    )
    lacking = [council for council in councils if council.pk not in with_secretariat]
    secretaries = users.make([(f"thuky.{council.pk}", council.name[:150]) for council in lacking])
    CouncilUserObjectPermission.objects.bulk_create(
        [
            CouncilUserObjectPermission(user=user, permission=secretariat, content_object=council)
            for user, council in zip(secretaries, lacking, strict=True)
        ]
    )
    member_users = users.make(
        [
            (f"uyvien.{council.pk}.{number}", f"Ủy viên {number}")
            for council in new_councils
            for number in range(MEMBERS)
        ]
    )
    CouncilMember.objects.bulk_create(
        [
            CouncilMember(council=council, user=user, role=CouncilMember.Role.MEMBER, voting=True)
            for index, council in enumerate(new_councils)
            for user in member_users[index * MEMBERS : (index + 1) * MEMBERS]
        ]
    )

    # Signers of the councils' units (the province has its own).
    issuers = [province_council.unit, *(council.unit for council in councils)]
    signed = set(UnitUserObjectPermission.objects.filter(permission=signer).values_list("content_object_id", flat=True))
    unsigned = [unit for unit in issuers if unit.pk not in signed]
    made = users.make([(f"ky.{unit.pk}", unit.name[:150]) for unit in unsigned])
    grants += [(user, signer, unit) for user, unit in zip(made, unsigned, strict=True)]
    UnitUserObjectPermission.objects.bulk_create(
        [
            UnitUserObjectPermission(user=user, permission=permission, content_object=unit)
            for user, permission, unit in grants
        ],
        batch_size=BATCH,
    )

    _campaigns(rng, today, province, units)
    stages = _stages(rng, reference, councils, scale)
    _sessions(reference, today, councils, scale)
    _consultations(reference, councils, stages)
    _decisions(reference, issuers)


def _campaigns(rng, today, province, units) -> None:
    admin = get_user_model().objects.get(username="admin")
    common = {"launching_unit": province, "scope": Campaign.Scope.SUBTREE, "state": Campaign.State.LAUNCHED,
              "period_start": today.replace(month=1, day=1), "period_end": today.replace(month=12, day=31),
              "created_by": admin, "award_codes": ["TTLDTT", "LDTT"]}  # fmt: skip
    registering = Campaign.objects.create(
        code=f"{CAMPAIGN_PREFIX}DK",
        title=f"{TAG} Phong trào thi đua đang nhận đăng ký",
        registration_deadline=today + timedelta(days=2),
        nomination_deadline=today + timedelta(days=60),
        launched_on=today - timedelta(days=20),
        **common,
    )
    nominating = Campaign.objects.create(
        code=f"{CAMPAIGN_PREFIX}DN",
        title=f"{TAG} Phong trào thi đua đã quá hạn đề nghị khen thưởng",
        registration_deadline=today - timedelta(days=30),
        nomination_deadline=today - timedelta(days=5),
        launched_on=today - timedelta(days=60),
        **common,
    )
    approved = Registration.State.APPROVED
    Registration.objects.bulk_create(
        [Registration(campaign=registering, unit=unit, state=approved) for unit in units if rng.random() < 0.1],
        batch_size=BATCH,
    )
    registered = Registration.objects.bulk_create(
        [Registration(campaign=nominating, unit=unit, state=approved) for unit in units if rng.random() < 0.6],
        batch_size=BATCH,
    )
    RegistrationTarget.objects.bulk_create(
        [RegistrationTarget(registration=registration, award_code="TTLDTT") for registration in registered],
        batch_size=BATCH,
    )
    # A tenth of the registered units submitted a nomination: people from the end of the list (the bench
    # nominations take the first ones).
    submitting = [registration.unit for registration in registered if rng.random() < 0.1]
    people = list(Person.objects.order_by("-pk").values_list("pk", flat=True)[: len(submitting)])
    award = AwardType.objects.get(code=bench_nominations.AWARD)
    Nomination.objects.bulk_create(
        [
            Nomination(
                person_id=person,
                award_type=award,
                year=bench_nominations.YEAR,
                proposing_unit=unit,
                campaign=nominating,
                achievement=ACHIEVEMENT,
                state=Nomination.State.SUBMITTED,
            )
            for person, unit in zip(people, submitting, strict=False)
        ],
        batch_size=BATCH,
    )


def _stages(rng, reference, councils, scale) -> dict[int, list[ReviewStage]]:
    """Nominations waiting at the other councils, due from 10 days before the reference to 10 days after."""
    count = STAGES_PER_SCALE * scale
    taken = set(Nomination.objects.filter(achievement=ACHIEVEMENT).values_list("person_id", flat=True))
    people = [pk for pk in Person.objects.order_by("-pk").values_list("pk", flat=True)[: count + len(taken)]]
    people = [pk for pk in people if pk not in taken][:count]
    award = AwardType.objects.get(code=bench_nominations.AWARD)
    plans = []
    for index, person in enumerate(people):
        council = councils[index % len(councils)]
        state = ReviewStage.State.IN_APPRAISAL if rng.random() < 0.6 else ReviewStage.State.SUBMITTED
        plans.append((person, council, state, reference + timedelta(days=rng.uniform(-10, 10))))
    made = Nomination.objects.bulk_create(
        [
            Nomination(
                person_id=person,
                award_type=award,
                year=bench_nominations.YEAR,
                proposing_unit=council.unit,
                achievement=ACHIEVEMENT,
                state=state,
            )
            for person, council, state, _due in plans
        ],
        batch_size=BATCH,
    )
    stages = ReviewStage.objects.bulk_create(
        [
            ReviewStage(
                nomination=nomination,
                council=council,
                order=1,
                decides=True,
                state=state,
                due_at=due,
                received_at=None if state == ReviewStage.State.SUBMITTED else due - timedelta(days=30),
            )
            for nomination, (_person, council, state, due) in zip(made, plans, strict=True)
        ],
        batch_size=BATCH,
    )
    by_council = {}
    for stage in stages:
        by_council.setdefault(stage.council_id, []).append(stage)
    return by_council


def _sessions(reference, today, councils, scale) -> None:
    voters = {}
    for member in CouncilMember.objects.filter(council__in=councils, voting=True, end__isnull=True).order_by("pk"):
        voters.setdefault(member.council_id, []).append(member.pk)
    voting = [council for council in councils if len(voters.get(council.pk, [])) >= 2]
    sessions = CouncilSession.objects.bulk_create(
        [
            CouncilSession(
                council=council,
                title=f"{TAG} Phiên họp số {index + 1}",
                meeting_on=today,
                opens_at=reference - timedelta(days=2),
                closes_at=reference + timedelta(hours=2 + index % 70),
                state=CouncilSession.State.OPEN,
                voter_ids=voters[council.pk],
                opened_at=reference - timedelta(days=2),
            )
            for index, council in enumerate(voting[index % len(voting)] for index in range(sessions_for(scale)))
        ],
        batch_size=BATCH,
    )
    Ballot.objects.bulk_create(
        [
            Ballot(session=session, member_id=member)
            for index, session in enumerate(sessions)
            for member in session.voter_ids[: index % (len(session.voter_ids) - 1)]
        ],
        batch_size=BATCH,
    )


def _consultations(reference, councils, stages) -> None:
    plans = []
    for council in councils:
        waiting = stages.get(council.pk, [])
        if len(waiting) < 6:
            continue
        for title, closes, chosen in (("đã kết thúc", -4, waiting[:3]), ("sắp kết thúc", 2, waiting[3:6])):
            closes_at = reference + timedelta(days=closes)
            consultation = Consultation(
                council=council, title=f"{TAG} Lấy ý kiến {title}", days=10,
                opens_at=closes_at - timedelta(days=10), closes_at=closes_at,
            )  # fmt: skip
            plans.append((consultation, chosen))
    consultations = Consultation.objects.bulk_create([consultation for consultation, _stages in plans])
    entries = ConsultationEntry.objects.bulk_create(
        [
            ConsultationEntry(
                consultation=consultation,
                number=number + 1,
                nomination_id=stage.nomination_id,
                stage=stage,
                nominee=f"Người được đề nghị {number + 1}",
                award_name="Lao động tiên tiến",
                year=bench_nominations.YEAR,
                achievement=ACHIEVEMENT,
            )
            for consultation, (_c, waiting) in zip(consultations, plans, strict=True)
            for number, stage in enumerate(waiting)
        ]
    )
    now = timezone.now()
    Feedback.objects.bulk_create(
        [
            Feedback(entry=entry, kind=Feedback.Kind.COMPLAINT, name="Công dân", text="Đề nghị xem xét lại thành tích.")
            for entry in entries
            if entry.number == 1
        ]
        + [
            Feedback(
                entry=entry,
                kind=Feedback.Kind.COMMENT,
                name="Công dân",
                text="Đồng ý.",
                answer="Cảm ơn.",
                answered_at=now,
            )
            for entry in entries
            if entry.number == 2
        ]
    )


def _decisions(reference, issuers) -> None:
    days = settings.REMINDER_SIGNATURE_DAYS
    award = AwardType.objects.get(code="BK_TINH")
    made = Decision.objects.bulk_create(
        [
            Decision(
                issuer=unit,
                award_type=award,
                place="Sông Hồng",
                title=f"{TAG} Về việc tặng Bằng khen ({label})",
                issuer_title="CHỦ TỊCH ỦY BAN NHÂN DÂN",
                signer_title="CHỦ TỊCH",
                signer_name="Bench",
                achievement=ACHIEVEMENT,
            )
            for unit in issuers
            for label in ("overdue", "due")
        ]
    )
    overdue = [decision.pk for decision in made if decision.title.endswith("(overdue)")]
    due = [decision.pk for decision in made if decision.title.endswith("(due)")]
    # created_at is set on insert (auto_now_add): put it back to when the drafts were written.
    Decision.objects.filter(pk__in=overdue).update(created_at=reference - timedelta(days=days + 4))
    Decision.objects.filter(pk__in=due).update(created_at=reference - timedelta(days=days - 2))
