"""Vietnamese text helpers."""

import unicodedata


def thousands(amount: int) -> str:
    """2340000 → "2.340.000": the Vietnamese thousands separator."""
    return f"{amount:,}".replace(",", ".")


def fold(text: str) -> str:
    """Lower-case text without diacritics, for accent-insensitive search: "Nguyễn Văn Ấn" → "nguyen van an"."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())
