"""Exercise `sampling`: the next-token distribution of a language model's decoder.

Write `next_token_probs(logits, temperature=1.0, top_k=None, top_p=None)`:

- `logits`: floats of shape (V,) for one position, or (B, V) for a batch of B rows;
  every row is handled on its own. Return probabilities of the same shape.
- Apply, in this order:
  1. temperature: softmax(logits / temperature). temperature == 0 means greedy: a
     one-hot vector at the argmax, the FIRST (lowest) index when several tie.
  2. top_k (an int, or None for no limit): keep the k most likely tokens, set the
     rest to 0, renormalise. top_k >= V keeps everything.
  3. top_p (a float in (0, 1], or None): sort the remaining tokens from most to least
     likely and keep the SMALLEST set of most likely tokens whose probabilities add up
     to at least top_p (so the token that crosses top_p is kept); set the rest to 0,
     renormalise. top_p = 1 keeps everything. Compute it on the distribution
     renormalised after top-k.
- Stable for large logits (subtract each row's max before exp()); float64; never
  modify `logits`; no Python loop over the vocabulary.

Example:

    >>> logits = np.array([2.0, 1.0, 0.5, -1.0])
    >>> next_token_probs(logits).round(4)                  # plain softmax
    array([0.6095, 0.2242, 0.136 , 0.0303])
    >>> next_token_probs(logits, temperature=0.5).round(4)  # sharper
    array([0.842 , 0.114 , 0.0419, 0.0021])
    >>> next_token_probs(logits, temperature=0)             # greedy
    array([1., 0., 0., 0.])
    >>> next_token_probs(logits, top_k=2).round(4)
    array([0.7311, 0.2689, 0.    , 0.    ])
    >>> next_token_probs(logits, top_p=0.8).round(4)        # 0.6095 < 0.8 <= 0.8337
    array([0.7311, 0.2689, 0.    , 0.    ])

练习 `sampling`：语言模型解码时下一个词元的概率分布。

编写 `next_token_probs(logits, temperature=1.0, top_k=None, top_p=None)`：

- `logits`：形状为 (V,) 的浮点数（一个位置），或 (B, V)（一批 B 行）；每一行各自独立
  处理。返回同样形状的概率。
- 按以下顺序处理：
  1. 温度：softmax(logits / temperature)。temperature == 0 表示贪心：在 argmax 处为 1
     的 one-hot 向量，多个最大值并列时取第一个（下标最小的）。
  2. top_k（整数，None 表示不限制）：保留概率最大的 k 个词元，其余置 0，再重新归一化。
     top_k >= V 时全部保留。
  3. top_p（(0, 1] 之间的浮点数，或 None）：把剩下的词元按概率从大到小排序，保留累计
     概率达到 top_p 的“最小”集合（所以跨过 top_p 的那个词元要保留），其余置 0，
     再重新归一化。top_p = 1 时全部保留。在 top-k 之后重新归一化的分布上计算。
- 对很大的 logits 保持数值稳定（exp() 之前先减去每行的最大值）；用 float64；不要修改
  `logits`；不要用 Python 循环遍历词表。

示例见上方英文部分（数值相同）。

Check your work with `mlkata grade sampling`. / 用 `mlkata grade sampling` 检查。
"""

import numpy as np


def next_token_probs(logits, temperature=1.0, top_k=None, top_p=None):
    logits = np.asarray(logits, dtype=np.float64)

    # TODO: temperature 0 -> one-hot at the argmax (first index on ties).

    # TODO: softmax(logits / temperature) over the last axis, stably.

    # TODO: top-k, then top-p, each followed by renormalising.

    raise NotImplementedError("next_token_probs is not written yet")
