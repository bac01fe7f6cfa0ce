"""Certificates rendered in batch (awards.certificates.render: per chunk of 500, the decision's blank laid out once,
one lean fill document holding the variable zones of every certificate, twenty to a tall page, cut apart, QR codes
stamped, the blank drawn under each and the singles split with pikepdf) against
the naive way, one whole document per certificate (awards.certificates.render_one), measured side by side on a
sample and extrapolated: ratio_vs_naive = naive seconds per certificate / batch seconds per certificate (issue 7,
acceptance 3: target ≥ 10). The naive sample is spread over the run (a few after each chunk) so that both paths see
the same load on the machine. 10,000 certificates (200 in --quick) with distinct names and tokens.

Both paths are timed from the certificate's frozen text to its PDF: building the verification URL and its QR code is
part of each (qr_ms_per_certificate prints that share). The scenario writes no rows and no files,
so there is nothing to clean up. Peak memory is the process's maximum resident size (target under 1.5 GiB)."""

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
        items.append(certificates.printable(certificates.Family.BANG_KHEN, text, secrets.token_hex(16)))
    return items


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def run(context) -> list[dict]:
    count = QUICK if context.scale <= 1 else FULL
    sample_size = NAIVE_SAMPLE_QUICK if context.scale <= 1 else NAIVE_SAMPLE
    certificates.render(sample_printables(3))  # warm the imports, the fonts cache and the templates
    certificates.render_one(sample_printables(1)[0])

    chunks = range(0, count, certificates.CHUNK_SIZE)
    naive_per_chunk = -(-sample_size // len(chunks))
    seconds = build_seconds = naive_seconds = 0.0
    pages = merged_bytes = naive_done = 0
    for start in chunks:
        started = time.perf_counter()
        chunk = sample_printables(min(certificates.CHUNK_SIZE, count - start))
        built = time.perf_counter()
        merged, singles = certificates.render(chunk)
        seconds += time.perf_counter() - started
        build_seconds += built - started
        pages += len(singles)
        merged_bytes += len(merged)
        del merged, singles, chunk

        started = time.perf_counter()
        for _each in range(naive_per_chunk):
            if not certificates.render_one(sample_printables(1)[0]).startswith(b"%PDF"):
                raise ScenarioFailed(f"{NAME}: the naive path produced no PDF")
        naive_seconds += time.perf_counter() - started
        naive_done += naive_per_chunk
    if pages != count or not merged_bytes:
        raise ScenarioFailed(f"{NAME}: rendered {pages} of {count} certificates")

    naive_per_certificate = naive_seconds / naive_done
    batch_per_certificate = seconds / count
    return [
        row(NAME, "certificates", count, "certificates"),
        row(NAME, "seconds", round(seconds, 2), "s"),
        row(NAME, "per_second", round(count / seconds, 1), "certificates/s"),
        row(NAME, "batch_ms_per_certificate", round(batch_per_certificate * 1000, 2), "ms"),
        row(NAME, "naive_sample", naive_done, "certificates"),
        row(NAME, "naive_ms_per_certificate", round(naive_per_certificate * 1000, 1), "ms"),
        row(NAME, "naive_extrapolated_seconds", round(naive_per_certificate * count, 1), "s"),
        row(NAME, "ratio_vs_naive", round(naive_per_certificate / batch_per_certificate, 2), "× (target ≥ 10)"),
        row(NAME, "qr_ms_per_certificate", round(build_seconds / count * 1000, 2), "ms (timed in both paths)"),
        row(NAME, "peak_mib", round(peak_mib(), 1), "MiB (target < 1536)"),
    ]
