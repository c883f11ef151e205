# ruff: noqa
# Mistake: min() over an empty Counter raises once no pair is left.
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
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(list(best))
        words = Counter({_merge(s, best): n for s, n in words.items()})
    return merges
def bpe_encode(word, merges):
    symbols = tuple(word) + ("</w>",)
    for a, b in merges:
        symbols = _merge(symbols, (a, b))
    return list(symbols)
