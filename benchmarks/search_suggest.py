"""What "did you mean" costs: building the vocabulary, and a search that finds nothing.

    scripts/with-postgres.sh .venv/bin/python benchmarks/search_suggest.py --n 20000
    DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python benchmarks/search_suggest.py

Migrates an empty database, loads the seed collection and adds N synthetic published
articles whose words are drawn from a 30,000-word invented vocabulary (so the archive's
vocabulary is large, as in a real archive, not the seed's few thousand words). Then prints:

- the vocabulary's cold build (after any change to the archive, the first search finding
  nothing pays for it), its size, and the warm read from the cache;
- ``close_words`` for misspellings of words of the archive;
- a search page finding nothing (with its help) next to one finding articles, warm.

Not a test: figures go to docs/search.md ("Suggestions").
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from archive.models import Article  # noqa: E402
from archive.search import suggest  # noqa: E402
from archive.views import search as search_view  # noqa: E402
from benchmarks import synthetic  # noqa: E402


def invented_words(rng: random.Random, size: int = 30_000) -> list[str]:
    syllables = [c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"] + ["tra", "ski", "ovn"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="synthetic articles (20,000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure")
    args = parser.parse_args()
    rng = random.Random(1989)

    call_command("migrate", verbosity=0)
    call_command("load_collection", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    words = invented_words(rng)
    synthetic.vocabulary = lambda: words  # the fill draws from the invented words
    t = time.perf_counter()
    synthetic.add_synthetic(articles=args.n)
    print(f"{connection.vendor}: {Article.objects.public().count():,} public articles "
          f"(filled in {time.perf_counter() - t:.0f} s)")  # fmt: skip

    suggest._memo.clear()
    t = time.perf_counter()
    vocab = suggest.build_vocabulary()
    cold = time.perf_counter() - t
    size = len(pickle.dumps(vocab, pickle.HIGHEST_PROTOCOL))
    warm = median_ms(suggest.vocabulary, args.repeat)
    suggest._memo.clear()
    unpickled = median_ms(lambda: (suggest._memo.clear(), suggest.vocabulary()), args.repeat)
    print(f"vocabulary: {len(vocab):,} words from the first "
          f"{suggest.VOCABULARY_ARTICLES:,} public articles at most, {size / 1e6:.1f} MB "
          f"pickled; cold build {cold:.2f} s, warm read {warm:.1f} ms "
          f"({unpickled:.1f} ms from the stored row in a new process)")  # fmt: skip

    known = sorted(w for w in vocab if len(w) >= 7)
    misspelt = []
    for word in rng.sample(known, 20):
        i = rng.randrange(1, len(word) - 2)
        misspelt.append(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    found = sum(1 for wrong in misspelt if suggest.close_words(wrong))
    per_word = median_ms(lambda: [suggest.close_words(w) for w in misspelt], args.repeat)
    print(f"close_words: {per_word / len(misspelt):.1f} ms a word ({found}/20 with a suggestion)")

    # The view itself, not through the page cache (which would answer the repeats).
    factory = RequestFactory()
    nothing = next(w for w in misspelt if not suggest._matches_anything(w))
    for label, q in (("finds nothing", nothing), ("finds articles", known[0])):

        def render(q: str = q) -> None:
            response = search_view(factory.get("/search/", {"q": q}))
            assert response.status_code == 200

        render()
        print(f"search page, {label} ({q!r}): {median_ms(render, args.repeat):.0f} ms")


if __name__ == "__main__":
    main()
