"""Certificates rendered in batch (awards.certificates.render: one WeasyPrint document per chunk of 500, the merged
PDF and every single PDF cut from that one layout) against the naive way, one document per certificate
(awards.certificates.render_one), measured side by side on a sample and extrapolated: ratio_vs_naive = naive
seconds per certificate / batch seconds per certificate (issue 7, acceptance 3: target ≥ 10). 10,000 certificates
(200 in --quick) with distinct names and tokens. The scenario times the rendering, which is the job's cost; it
writes no rows and no files, so there is nothing to clean up. Peak memory is the process's maximum resident size
(target under 1.5 GiB)."""

import resource
import secrets
import time

from awards import certificates
from bench.context import ScenarioFailed, row

NAME = "certificates_batch"
FULL, QUICK = 10_000, 200
NAIVE_SAMPLE, NAIVE_SAMPLE_QUICK = 50, 10
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
GIVEN = ["Thị Hoà", "Văn Ấn", "Ngọc Ánh", "Đức Lộc", "Thị Thuỷ", "Quốc Việt", "Minh Đức", "Thu Hương"]


def sample_printables(count: int) -> list:
    base = certificates.SAMPLE_TEXT
    items = []
    for index in range(count):
        name = f"{SURNAMES[index % len(SURNAMES)]} {GIVEN[(index // len(SURNAMES)) % len(GIVEN)]}"
        text = {**base, "recipient": name, "register_number": f"{index + 1:05d}", "award_name": "Bằng khen",
                "form": "BẰNG KHEN"}  # fmt: skip
        items.append(certificates.printable(certificates.Family.BANG_KHEN, text, secrets.token_urlsafe(24)))
    return items


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def run(context) -> list[dict]:
    count = QUICK if context.scale <= 1 else FULL
    sample_size = NAIVE_SAMPLE_QUICK if context.scale <= 1 else NAIVE_SAMPLE
    certificates.render(sample_printables(3))  # warm the imports, the fonts cache and the templates

    started = time.perf_counter()
    pages = merged_bytes = 0
    for start in range(0, count, certificates.CHUNK_SIZE):
        chunk = sample_printables(min(certificates.CHUNK_SIZE, count - start))
        merged, singles = certificates.render(chunk)
        pages += len(singles)
        merged_bytes += len(merged)
        del merged, singles, chunk
    seconds = time.perf_counter() - started
    if pages != count or not merged_bytes:
        raise ScenarioFailed(f"{NAME}: rendered {pages} of {count} certificates")

    sample = sample_printables(sample_size)
    started = time.perf_counter()
    for printable in sample:
        if not certificates.render_one(printable).startswith(b"%PDF"):
            raise ScenarioFailed(f"{NAME}: the naive path produced no PDF")
    naive_per_certificate = (time.perf_counter() - started) / sample_size
    batch_per_certificate = seconds / count
    return [
        row(NAME, "certificates", count, "certificates"),
        row(NAME, "seconds", round(seconds, 2), "s"),
        row(NAME, "per_second", round(count / seconds, 1), "certificates/s"),
        row(NAME, "naive_ms_per_certificate", round(naive_per_certificate * 1000, 1), "ms"),
        row(NAME, "naive_extrapolated_seconds", round(naive_per_certificate * count, 1), "s"),
        row(NAME, "ratio_vs_naive", round(naive_per_certificate / batch_per_certificate, 2), "× (target ≥ 10)"),
        row(NAME, "peak_mib", round(peak_mib(), 1), "MiB (target < 1536)"),
    ]
