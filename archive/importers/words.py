"""The importer's English vocabulary: a compact shipped list plus the words of the text itself.

A lost drop cap is restored only when exactly one word fits, a typo is suspected only near a
known word, and a name that is also a common word is treated with suspicion. All three need to
know "is this an English word?", and a big dictionary would over-answer (every letter plus
"hat" is a word somewhere); the text's own vocabulary answers best for the text at hand.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from archive.text import fold

WORDS_FILE = Path(__file__).parent / "data" / "words.txt"
WORD_RE = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """The shipped list of common English words (folded, lowercase)."""
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(fold(w) for w in lines if w.strip() and not w.startswith("#"))


def vocabulary(text: str) -> Counter[str]:
    """How often each folded word occurs in ``text`` (letters only, case-insensitive)."""
    return Counter(fold(m.group()) for m in WORD_RE.finditer(text))


def is_common_word(word: str) -> bool:
    return fold(word) in common_words()
