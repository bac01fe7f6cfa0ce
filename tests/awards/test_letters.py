import shutil
import subprocess

from django.utils import timezone

from awards.letters import letter_number, submission_pdf
from awards.models import AwardType, Nomination, Submission


def _text(pdf: bytes) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed to read the PDF"
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())


def test_the_letter_is_numbered_and_lists_nominations_by_group(org):
    letter = Submission.objects.create(
        unit=org.unit_a, year=2026, number=5, symbol="TTr-SGD", title="Về việc đề nghị khen thưởng năm 2026",
        state=Submission.State.SENT, sent_at=timezone.now(),
    )  # fmt: skip
    common = {"year": 2026, "proposing_unit": org.unit_a, "submission": letter}
    Nomination.objects.create(
        person=org.person_a, award_type=AwardType.objects.get(code="LDTT"), achievement="Dạy giỏi cấp tỉnh", **common
    )
    Nomination.objects.create(
        unit=org.unit_a_child, award_type=AwardType.objects.get(code="TTLDTT"), achievement="Trường chuẩn", **common
    )
    assert letter_number(letter) == "05/TTr-SGD"
    pdf = submission_pdf(letter)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 05/TTr-SGD", "TỜ TRÌNH", "Nguyễn Thị Hoà",
                     "Lao động tiên tiến", "Tập thể lao động tiên tiến", "I. Tập thể", "II. Cá nhân"):  # fmt: skip
        assert expected in text, expected
    assert text.index("I. Tập thể") < text.index("II. Cá nhân")
