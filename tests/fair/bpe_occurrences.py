"""Correct, written apart from the reference: every word occurrence kept as its own list."""

END = "</w>"


def _apply(tokens, left, right):
    result = []
    for token in tokens:
        if result and result[-1] == left and token == right and not getattr(_apply, "_hold", 0):
            result[-1] = left + right
            _apply._hold = 1
        else:
            result.append(token)
            _apply._hold = 0
    _apply._hold = 0
    return result


def train_bpe(corpus, num_merges):
    sequences = [list(word) + [END] for text in corpus for word in text.split()]
    merges = []
    while len(merges) < num_merges:
        frequency = {}
        for seq in sequences:
            for i in range(len(seq) - 1):
                key = (seq[i], seq[i + 1])
                frequency[key] = frequency.get(key, 0) + 1
        if not frequency:
            break
        best_count = max(frequency.values())
        left, right = sorted(k for k, c in frequency.items() if c == best_count)[0]
        merges.append([left, right])
        sequences = [_apply(seq, left, right) for seq in sequences]
    return merges


def bpe_encode(word, merges):
    tokens = list(word) + [END]
    for left, right in merges:
        tokens = _apply(tokens, left, right)
    return tokens
