"""Demo work for the provincial council, so that `make run` shows the secretariat's lists and a vote under way:
nominations for the provincial chairman's Bằng khen (BK_TINH) of people the eligibility engine finds eligible,
waiting at the provincial council (accepted, or still in appraisal), and an open session whose agenda holds the
first five, in which `uyvien.tinh` can vote. Registered with `seed_demo` after the award history (awards/apps.py).

The nominations are written directly with their single stage at the provincial council (the demo has no
dossier files); the session goes through the services, as the secretariat's pages would."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from thiduakt.lib import permissions

from . import eligibility
from . import sessions as session_services
from .demo import DEMO_LAST_YEAR
from .models import AwardType, Nomination, ReviewStage

AWARD = "BK_TINH"
ACCEPTED = 8
IN_APPRAISAL = 4
ON_AGENDA = 5
SECRETARY = "thuky.tinh"
ACHIEVEMENT = (
    "Hai năm liền hoàn thành xuất sắc nhiệm vụ; chủ trì sáng kiến cải tiến quy trình được áp dụng trong toàn "
    "đơn vị; tích cực tham gia các phong trào thi đua của tỉnh."
)


def seed_demo_council(*, scale: int, seed: int) -> dict:
    from organizations.models import Person

    secretary = get_user_model().objects.filter(username=SECRETARY).first()
    council = permissions.secretariat_councils(secretary).first() if secretary else None
    if council is None:
        return {}
    year = DEMO_LAST_YEAR
    people = list(Person.objects.select_related("unit").order_by("pk")[:3000])
    verdicts = [
        verdict
        for verdict in eligibility.check_many(people, year, [AWARD])
        if verdict.status == eligibility.Status.ELIGIBLE
    ][: ACCEPTED + IN_APPRAISAL]
    award_type = AwardType.objects.get(code=AWARD)
    now = timezone.now()
    stages = []
    for index, verdict in enumerate(verdicts):
        accepted = index < ACCEPTED
        person = verdict.subject
        nomination = Nomination.objects.create(
            person=person,
            award_type=award_type,
            year=year,
            proposing_unit=person.unit,
            achievement=ACHIEVEMENT,
            state=Nomination.State.IN_COUNCIL if accepted else Nomination.State.IN_APPRAISAL,
            eligibility={"status": verdict.status, "reasons": [reason.as_dict() for reason in verdict.reasons]},
        )
        stages.append(
            ReviewStage.objects.create(
                nomination=nomination,
                council=council,
                order=1,
                decides=True,
                state=ReviewStage.State.ACCEPTED if accepted else ReviewStage.State.IN_APPRAISAL,
                received_at=now - timedelta(days=10),
                due_at=now + timedelta(days=5 + index),
            )
        )
    agenda = [stage for stage in stages if stage.state == ReviewStage.State.ACCEPTED][:ON_AGENDA]
    if agenda:
        session = session_services.session_create(
            by=secretary,
            council=council,
            title=f"Phiên họp xét tặng Bằng khen của Chủ tịch UBND tỉnh năm {year}",
            meeting_on=timezone.localdate(),
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=30),
            remote=True,
        )
        session_services.session_add_items(by=secretary, session=session, stages=agenda)
        session_services.session_open(by=secretary, session=session)
    return {"hồ sơ chờ Hội đồng tỉnh": len(stages), "phiên họp đang bỏ phiếu": 1 if agenda else 0}
