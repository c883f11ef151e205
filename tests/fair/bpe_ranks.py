"""Correct, written apart from the reference: GPT-2-style encoding by merge rank."""

from collections import Counter

END_OF_WORD = "</w>"


def _fuse(parts, pair):
    fused = []
    i = 0
    while i < len(parts):
        if parts[i : i + 2] == list(pair):
            fused.append("".join(pair))
            i += 2
        else:
            fused.append(parts[i])
            i += 1
    return fused


def train_bpe(corpus, num_merges):
    words = Counter()
    for line in corpus:
        words.update(line.split())
    spelled = {w: list(w) + [END_OF_WORD] for w in words}
    merges = []
    for _ in range(num_merges):
        pair_counts = Counter()
        for w, parts in spelled.items():
            pair_counts.update({p: 0 for p in zip(parts, parts[1:], strict=False)})
            for p in zip(parts, parts[1:], strict=False):
                pair_counts[p] += words[w]
        if not pair_counts:
            break
        top = max(pair_counts.values())
        pair = min(p for p, c in pair_counts.items() if c == top)
        merges.append(list(pair))
        spelled = {w: _fuse(parts, pair) for w, parts in spelled.items()}
    return merges


def bpe_encode(word, merges):
    rank = {tuple(m): i for i, m in enumerate(merges)}
    parts = list(word) + [END_OF_WORD]
    while len(parts) > 1:
        candidates = [(rank[p], p) for p in zip(parts, parts[1:], strict=False) if p in rank]
        if not candidates:
            break
        parts = _fuse(parts, min(candidates)[1])
    return parts
