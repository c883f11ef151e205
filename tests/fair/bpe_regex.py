"""Correct, written apart from the reference: Sennrich's regex over space-joined symbols."""

import re
from collections import defaultdict


def _pattern(a, b):
    return re.compile(r"(?<!\S)" + re.escape(a + " " + b) + r"(?!\S)")


def train_bpe(corpus, num_merges):
    vocab = defaultdict(int)
    for line in corpus:
        for word in line.split():
            vocab[" ".join(word) + " </w>"] += 1
    merges = []
    for _ in range(num_merges):
        stats = defaultdict(int)
        for spelled, freq in vocab.items():
            symbols = spelled.split()
            for i in range(len(symbols) - 1):
                stats[symbols[i], symbols[i + 1]] += freq
        if not stats:
            break
        a, b = sorted(stats.items(), key=lambda item: (-item[1], item[0]))[0][0]
        merges.append([a, b])
        pattern = _pattern(a, b)
        vocab = {pattern.sub(lambda _m, ab=a + b: ab, s): f for s, f in vocab.items()}
    return merges


def bpe_encode(word, merges):
    spelled = " ".join(word) + " </w>"
    for a, b in merges:
        spelled = _pattern(a, b).sub(lambda _m, ab=a + b: ab, spelled)
    return spelled.split()
