# ruff: noqa
# Mistake: bpe_encode merges whichever known pair comes first in the word, ignoring the order learned.
from collections import Counter
def _merge(symbols, pair):
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1]); i += 2
        else:
            out.append(symbols[i]); i += 1
    return tuple(out)
def train_bpe(corpus, num_merges):
    words = Counter(tuple(w) + ("</w>",) for line in corpus for w in line.split())
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for symbols, n in words.items():
            for pair in zip(symbols, symbols[1:]):
                pairs[pair] += n
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(list(best))
        words = Counter({_merge(s, best): n for s, n in words.items()})
    return merges
def bpe_encode(word, merges):
    known = {tuple(m) for m in merges}
    symbols = list(word) + ["</w>"]
    changed = True
    while changed:
        changed = False
        for i in range(len(symbols) - 1):
            if (symbols[i], symbols[i + 1]) in known:
                symbols[i:i + 2] = [symbols[i] + symbols[i + 1]]
                changed = True
                break
    return symbols
