"""Exercise `bpe`: train a byte-pair-encoding tokenizer, then split words with it.

Write two functions:

`train_bpe(corpus, num_merges) -> merges`
- `corpus`: a list of strings. Split each on whitespace (str.split() with no argument:
  spaces, tabs, newlines, the ideographic space) into words, and count each word.
- Each word starts as its characters plus an end-of-word symbol: "low" is
  ["l", "o", "w", "</w>"]. Characters are Python characters, so Chinese text works
  character by character ("我们" is ["我", "们", "</w>"]).
- Repeat: count every adjacent pair of symbols over all words (a word seen 5 times
  counts 5 times; "aaa" holds the pair ("a", "a") twice); take the most frequent pair,
  and on a tie the SMALLEST pair in Python's order (compare (first, second) tuples:
  ("e", "s") < ("s", "t") and "</w>" sorts before letters); merge every occurrence of
  it in every word into one symbol, scanning left to right ("a a a" becomes "aa a").
- Stop after `num_merges` merges, or earlier when no word has two symbols left.
- Return the merges in the order learned, each a 2-item list: [["e", "s"], ...].

`bpe_encode(word, merges) -> tokens`
- Start from the word's characters plus "</w>", then apply the merges IN THE ORDER
  LEARNED, each to every occurrence, left to right. Return the list of symbols. A word
  made of characters the merges never saw stays one symbol per character.

Example:

    >>> corpus = ["low low low low low", "lower lower",
    ...           "newest newest newest newest newest newest", "widest widest widest"]
    >>> merges = train_bpe(corpus, 10)
    >>> merges[:4]        # ("e","s"), ("s","t"), ("t","</w>") tie at 9: ("e","s") is smallest
    [['e', 's'], ['es', 't'], ['est', '</w>'], ['l', 'o']]
    >>> bpe_encode("lowest", merges)
    ['low', 'est</w>']
    >>> bpe_encode("xyz", merges)
    ['x', 'y', 'z', '</w>']
    >>> train_bpe(["ab a"], 10)     # stops after 3: every word is one symbol
    [['a', '</w>'], ['a', 'b'], ['ab', '</w>']]

练习 `bpe`：训练一个字节对编码（BPE）分词器，再用它切分单词。

编写两个函数：

`train_bpe(corpus, num_merges) -> merges`
- `corpus`：字符串列表。用空白把每个字符串切成单词（不带参数的 str.split()：空格、
  制表符、换行、全角空格都算），并统计每个单词出现的次数。
- 每个单词一开始是它的字符加上词尾符号：“low” 是 ["l", "o", "w", "</w>"]。字符就是
  Python 的字符，所以中文按字处理（“我们” 是 ["我", "们", "</w>"]）。
- 重复：统计所有单词中每一对相邻符号出现的次数（出现 5 次的单词计 5 次；“aaa” 中
  ("a", "a") 出现两次）；取出现最多的一对，并列时取 Python 顺序中“最小”的一对（比较
  (first, second) 元组：("e", "s") < ("s", "t")，且 "</w>" 排在字母之前）；在每个单词中把
  它的每一次出现从左到右合并成一个符号（“a a a” 变成 “aa a”）。
- 合并 `num_merges` 次后停止；如果已经没有单词还剩两个以上符号，则提前停止。
- 按学到的顺序返回合并规则，每条是一个二元列表：[["e", "s"], ...]。

`bpe_encode(word, merges) -> tokens`
- 从单词的字符加 "</w>" 开始，“按学到的顺序”应用合并规则，每条规则合并所有出现，
  从左到右。返回符号列表。由合并规则从未见过的字符组成的单词，保持每个字符一个符号。

示例见上方英文部分（结果相同）。

Check your work with `mlkata grade bpe`. / 用 `mlkata grade bpe` 检查。
"""

END_OF_WORD = "</w>"


def train_bpe(corpus, num_merges):
    # TODO: count the words; each word becomes (its characters..., "</w>").

    # TODO: repeat num_merges times: count adjacent pairs (weighted by word count),
    #       pick the most frequent (smallest on a tie), merge it everywhere.

    raise NotImplementedError("train_bpe is not written yet")


def bpe_encode(word, merges):
    # TODO: characters plus "</w>", then apply each merge in order.
    raise NotImplementedError("bpe_encode is not written yet")
