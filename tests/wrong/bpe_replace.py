# ruff: noqa
# Mistake: merges with str.replace on space-joined symbols, gluing across symbols.
from collections import Counter
def train_bpe(corpus, num_merges):
    words = Counter(" ".join(list(w) + ["</w>"]) for line in corpus for w in line.split())
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for text, n in words.items():
            s = text.split(" ")
            for pair in zip(s, s[1:]):
                pairs[pair] += n
        if not pairs:
            break
        a, b = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append([a, b])
        new = Counter()
        for text, n in words.items():
            new[text.replace(a + " " + b, a + b)] += n
        words = new
    return merges
def bpe_encode(word, merges):
    text = " ".join(list(word) + ["</w>"])
    for a, b in merges:
        text = text.replace(a + " " + b, a + b)
    return text.split(" ")
