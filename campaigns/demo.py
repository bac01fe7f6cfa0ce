"""Demo data for `seed_demo`: one launched campaign of the province with a registration awaiting approval,
and this year's bloc of eight departments with its scoring table and pledge. Written through the services,
as an admin would, so the audit trail shows it."""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from organizations.models import Person, Unit

from .models import Bloc, Campaign, ScoreCriterion
from .services import blocs as bloc_services
from .services import campaigns as campaign_services

NORMAL, BONUS, PENALTY = ScoreCriterion.Kind.NORMAL, ScoreCriterion.Kind.BONUS, ScoreCriterion.Kind.PENALTY
SCORE_GROUPS = [
    {
        "title": "I. Thực hiện nhiệm vụ chính trị, chuyên môn",
        "criteria": [
            {"text": "Hoàn thành các chỉ tiêu kế hoạch năm", "kind": NORMAL, "max_points": Decimal(50)},
            {"text": "Cải cách hành chính, chuyển đổi số", "kind": NORMAL, "max_points": Decimal(20)},
        ],
    },
    {
        "title": "II. Công tác thi đua, khen thưởng",
        "criteria": [
            {"text": "Tổ chức phong trào thi đua, nhân rộng điển hình", "kind": NORMAL, "max_points": Decimal(20)},
            {"text": "Báo cáo đúng hạn, đúng quy định", "kind": NORMAL, "max_points": Decimal(10)},
        ],
    },
    {
        "title": "III. Điểm thưởng, điểm trừ",
        "criteria": [
            {"text": "Được tặng Cờ thi đua trong năm", "kind": BONUS, "max_points": Decimal(10)},
            {"text": "Có cán bộ bị kỷ luật", "kind": PENALTY, "max_points": Decimal(5)},
        ],
    },
]  # fmt: skip


def seed_demo_campaigns(*, scale: int, seed: int) -> dict:
    admin = get_user_model().objects.get(username="admin")
    province = Unit.objects.filter(parent__isnull=True, kind=Unit.Kind.PROVINCE).order_by("pk").first()
    departments = list(
        Unit.objects.filter(parent=province, kind=Unit.Kind.DEPARTMENT, valid_to__isnull=True).order_by("pk")[:8]
    )
    today = timezone.localdate()
    campaign = campaign_services.campaign_create(
        by=admin,
        launching_unit=province,
        code=f"PT-{today.year}-CDS",
        title="Phong trào thi đua “Chung tay xây dựng chính quyền số”",
        kind=Campaign.Kind.THEMATIC,
        scope=Campaign.Scope.SUBTREE,
        period_start=date(today.year, 1, 1),
        period_end=date(today.year + 1, 12, 31),
        registration_deadline=today + timedelta(days=14),
        nomination_deadline=today + timedelta(days=120),
        description=(
            "Đẩy mạnh chuyển đổi số trong các cơ quan, đơn vị; 100% hồ sơ thủ tục hành chính được xử lý trực tuyến."
        ),
        award_codes=["LDTT", "CSTDCS", "TTLDTT", "BK_TINH"],
        criteria=[
            ("Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến toàn trình", Decimal(40)),
            ("Số sáng kiến chuyển đổi số được công nhận", Decimal(30)),
            ("Tổ chức tuyên truyền, nhân rộng mô hình hay", Decimal(30)),
        ],
    )
    campaign_services.campaign_launch(by=admin, campaign=campaign)
    education = next((unit for unit in departments if unit.code.endswith(".SGD")), departments[0])
    staff = list(Person.objects.filter(unit=education).order_by("pk")[:3])
    registration = campaign_services.registration_save(
        by=admin,
        campaign=campaign,
        unit=education,
        targets=[(None, "TTLDTT"), *[(person, "LDTT") for person in staff]],
        note="Đăng ký thi đua năm " + str(today.year),
    )
    campaign_services.registration_submit(by=admin, registration=registration)

    template = bloc_services.template_create(
        by=admin, organising_unit=province, name="Bảng tiêu chí chấm điểm khối các sở", groups=SCORE_GROUPS
    )
    bloc = bloc_services.bloc_create(
        by=admin,
        name="Khối các sở quản lý nhà nước",
        kind=Bloc.Kind.BLOC,
        year=today.year,
        organising_unit=province,
        members=departments,
        leader=departments[0],
        deputy=departments[1],
        template=template,
        self_score_deadline=today + timedelta(days=21),
    )
    bloc_services.pledge_record(
        by=admin,
        bloc=bloc,
        signed_on=min(today, date(today.year, 3, 15)),
        targets=(
            "Hoàn thành 100% chỉ tiêu kế hoạch; "
            "100% thủ tục hành chính đủ điều kiện được cung cấp trực tuyến toàn trình."
        ),
    )
    return {"phong trào thi đua": 1, "đăng ký thi đua": 1, "cụm, khối thi đua": 1}
