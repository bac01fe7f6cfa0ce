"""The demo province. Apps that build on organisations add their own demo data after it is built: each
registers, in its AppConfig.ready(), a function `extend(*, scale, seed) -> dict of counts` with `register`."""

EXTENDERS: list = []


def register(extend) -> None:
    if extend not in EXTENDERS:
        EXTENDERS.append(extend)
