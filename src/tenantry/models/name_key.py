"""A company name reduced to what tells companies apart: the key that matches "Contoso ApS" with
"CONTOSO A/S" and "Contoso".

Unicode NFKC (full-width and compatibility forms become their plain letters) and case folding;
dots, slashes and apostrophes inside abbreviations dropped (``A/S`` is ``as``, ``S.p.A.`` is
``spa``); every other punctuation mark or symbol a space; runs of space one space; then legal
forms removed from the end, repeatedly (``GmbH & Co. KG``), and the legal forms written without
spaces in Chinese, Japanese and Korean names (``株式会社``) from either end, so ``株式会社テスト``
and ``テスト株式会社`` have the same key. Names are never transliterated: ``Контосо`` does not
match ``Contoso``. A name that is nothing but a legal form has no key (None).

It lives beside the models because ``organizations.name_key`` is kept from it on every write.
"""

from __future__ import annotations

import re
import unicodedata

# Spelled as people write them; each is reduced the same way as names before comparing.
LEGAL_FORMS = (
    "ApS", "A/S", "AS", "ASA", "AB", "AB (publ)", "Oy", "Oyj", "Ltd", "Ltd.", "Limited",
    "LLC", "L.L.C.", "LLP", "LP", "Inc", "Inc.", "Incorporated", "Corp", "Corp.", "Corporation",
    "Co", "Co.", "Company", "GmbH", "gGmbH", "AG", "KG", "OHG", "UG", "e.K.", "SE", "BV", "B.V.",
    "NV", "N.V.", "SA", "S.A.", "SAS", "S.A.S.", "SARL", "S.à r.l.", "SRL", "S.R.L.", "S.p.A.",
    "SpA", "S.L.", "SL", "KK", "K.K.", "GK", "Pty", "Pty Ltd", "Pte", "Pte Ltd", "PLC",
    "Sdn Bhd", "Bhd", "Kft", "Zrt", "Nyrt", "s.r.o.", "a.s.", "sp. z o.o.", "S.A.", "Ltda",
    "Lda", "OOO", "AO", "OÜ", "AS", "SIA", "UAB", "d.o.o.", "d.d.",
    "I/S", "K/S", "P/S", "IVS", "S.C.", "S. de R.L.", "S.A. de C.V.",
    # Russian forms in Cyrillic: OOO, AO, ZAO, PAO.
    "\u041e\u041e\u041e", "\u0410\u041e", "\u0417\u0410\u041e", "\u041f\u0410\u041e",
)  # fmt: skip
# Written without spaces around them: removed from the start or the end of the name.
CJK_FORMS = (
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "㈱", "(有)", "㈲",
    "股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "公司", "주식회사", "(주)", "㈜",
    "유한회사",
)  # fmt: skip
_JOINERS = re.compile("[./'\u2019]")  # and the typographic apostrophe


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _words(text: str) -> list[str]:
    """Folded words: abbreviation marks dropped, other punctuation and symbols as spaces."""
    joined = _JOINERS.sub("", _folded(text))
    spaced = "".join(
        " " if unicodedata.category(c)[0] in "PSZC" else c for c in joined
    )  # fmt: skip
    return spaced.split()


_SUFFIXES = sorted({tuple(_words(form)) for form in LEGAL_FORMS}, key=len, reverse=True)
_CJK = sorted({_folded(form) for form in CJK_FORMS}, key=len, reverse=True)


def _strip_cjk(name: str) -> str:
    """The folded name without the CJK legal forms at its start or end."""
    name = name.strip()
    changed = True
    while changed:
        changed = False
        for form in _CJK:
            if name != form and name.startswith(form):
                name, changed = name[len(form) :].strip(), True
            elif name != form and name.endswith(form):
                name, changed = name[: -len(form)].strip(), True
    return name


def company_name_key(name: str | None) -> str | None:
    """The key of a company name (see the module), or None when nothing is left of it."""
    if not name:
        return None
    folded = _strip_cjk(_folded(name))
    if folded in _CJK:
        return None
    words = _words(folded)
    stripped = True
    while stripped and len(words) > 1:
        stripped = False
        for suffix in _SUFFIXES:
            if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
                words, stripped = words[: -len(suffix)], True
                break
    if words and tuple(words) in _SUFFIXES:
        words = []
    key = " ".join(words)
    return key[:200] or None
