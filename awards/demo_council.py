"""Demo work for the provincial council, so that `make run` shows the secretariat's lists and a vote under way:
nominations for the provincial chairman's Bằng khen (BK_TINH) of people the eligibility engine finds eligible,
waiting at the provincial council (accepted, or still in appraisal), an open session whose agenda holds the
first five, in which `uyvien.tinh` can vote, and nominations the council passed: three on a decision `ky.tinh`
issued and `admin` published, three waiting for the next decision. Registered with `seed_demo` after the award
history (awards/apps.py).

The nominations are written directly with their single stage at the provincial council (the demo has no
dossier files); the session goes through the services, as the secretariat's pages would."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from thiduakt.lib import permissions

from . import decisions as decision_services
from . import eligibility, publication
from . import sessions as session_services
from .demo import DEMO_LAST_YEAR
from .models import AwardType, Nomination, ReviewStage

AWARD = "BK_TINH"
ACCEPTED = 8
IN_APPRAISAL = 4
PASSED = 6  # passed by the council, waiting for the decision
DECIDED = 3  # of which on an issued, published decision
ON_AGENDA = 5
SECRETARY = "thuky.tinh"
SIGNER = "ky.tinh"
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
    ][: ACCEPTED + IN_APPRAISAL + PASSED]
    award_type = AwardType.objects.get(code=AWARD)
    now = timezone.now()
    stages = []
    # (stage state, nomination state) by position in the list of eligible people.
    plan = (
        [(ReviewStage.State.ACCEPTED, Nomination.State.IN_COUNCIL)] * ACCEPTED
        + [(ReviewStage.State.IN_APPRAISAL, Nomination.State.IN_APPRAISAL)] * IN_APPRAISAL
        + [(ReviewStage.State.PASSED, Nomination.State.IN_DECISION)] * PASSED
    )
    passed = []
    for index, (verdict, (stage_state, state)) in enumerate(zip(verdicts, plan, strict=False)):
        person = verdict.subject
        nomination = Nomination.objects.create(
            person=person,
            award_type=award_type,
            year=year,
            proposing_unit=person.unit,
            achievement=ACHIEVEMENT,
            state=state,
            eligibility={"status": verdict.status, "reasons": [reason.as_dict() for reason in verdict.reasons]},
        )
        stage = ReviewStage.objects.create(
            nomination=nomination,
            council=council,
            order=1,
            decides=True,
            state=stage_state,
            received_at=now - timedelta(days=10),
            due_at=now + timedelta(days=5 + index),
            decided_at=now - timedelta(days=2) if stage_state == ReviewStage.State.PASSED else None,
        )
        (passed if stage_state == ReviewStage.State.PASSED else stages).append(stage)
    agenda = [stage for stage in stages if stage.state == ReviewStage.State.ACCEPTED][:ON_AGENDA]
    if agenda:
        session = session_services.session_create(
            by=secretary,
            council=council,
            title=f"Phiên họp xét tặng Bằng khen của Chủ tịch UBND tỉnh năm {year}",
            meeting_on=timezone.localdate(),
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=3),
            remote=True,
        )
        session_services.session_add_items(by=secretary, session=session, stages=agenda)
        session_services.session_open(by=secretary, session=session)
    decided = _issued_decision(council.unit, award_type, [stage.nomination for stage in passed[:DECIDED]], year)
    return {
        "hồ sơ chờ Hội đồng tỉnh": len(stages),
        "phiên họp đang bỏ phiếu": 1 if agenda else 0,
        "hồ sơ chờ quyết định": len(passed) - decided,
        "quyết định đã ban hành": 1 if decided else 0,
    }


def _issued_decision(issuer, award_type, nominations, year: int) -> int:
    """A decision of the province for the first nominations passed, issued by `ky.tinh` and published by `admin`;
    the others wait for the signer's staff to draft theirs. Returns how many lines it has."""
    users = get_user_model().objects
    signer, admin = users.filter(username=SIGNER).first(), users.filter(username="admin").first()
    if not nominations or signer is None or admin is None:
        return 0
    texts = decision_services.suggested_texts(issuer, award_type, year)
    decision = decision_services.decision_create(
        by=signer,
        issuer=issuer,
        award_type=award_type,
        nominations=nominations,
        **{
            **texts,
            "legal_bases": texts["legal_bases"].splitlines(),
            "signing_mode": "KT.",
            "signer_title": "PHÓ CHỦ TỊCH",
            "signer_name": "Trần Văn Minh",
        },
    )
    decision = decision_services.decision_issue(by=signer, decision=decision)
    publication.decision_publish(by=admin, decision=decision)
    return len(nominations)
