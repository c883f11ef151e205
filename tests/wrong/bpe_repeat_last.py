# ruff: noqa
"""Wrong: guards the choice of the best pair but not the append, so once no pair is left it
repeats the last merge until it has num_merges of them, instead of stopping."""

from collections import Counter
from itertools import pairwise

END_OF_WORD = "</w>"


def _merge(symbols, pair):
    """Replace every occurrence of `pair` in `symbols`, left to right, by its concatenation."""
    merged, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            merged.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            merged.append(symbols[i])
            i += 1
    return tuple(merged)


def train_bpe(corpus, num_merges):
    """The first `num_merges` merges learned from `corpus` (a list of strings)."""
    # Each distinct word, as its characters plus the end-of-word symbol, with its count.
    counts = Counter(word for line in corpus for word in line.split())
    words = {tuple(word) + (END_OF_WORD,): count for word, count in counts.items()}

    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for symbols, count in words.items():
            for pair in pairwise(symbols):
                pairs[pair] += count
        if pairs:  # the most frequent pair; on a tie, the smallest in string order
            best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        merges.append(list(best))  # with no pair left, the last merge again
        words = {_merge(symbols, best): count for symbols, count in words.items()}
    return merges


def bpe_encode(word, merges):
    """Split `word` into tokens by applying the learned merges in the order learned."""
    symbols = tuple(word) + (END_OF_WORD,)
    for first, second in merges:
        symbols = _merge(symbols, (first, second))
    return list(symbols)
