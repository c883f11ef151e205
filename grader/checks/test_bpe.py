"""Hidden checks for `bpe`: train_bpe(corpus, num_merges) -> merges and bpe_encode(word, merges).

Corpora are drawn fresh for each grading (numeric.fresh_rng) from small alphabets, so
ties and repeated letters are common. Expected merges come from the checks' own
trainer below, written apart from the reference; the classic corpus of Sennrich et al.
has its answer worked out by hand. When a result is wrong, the checks retrain under
each well-known mistake and name the one it matches. bpe_encode, the contract's second
function, is called in the same worker (numeric.other_function).

PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.
"""

from __future__ import annotations

import pytest

from grader.checks.numeric import fresh_rng, other_function
from grader.checks.support import describe, say

END = "</w>"

# Sennrich et al.'s example. Pair counts: (e,s) (s,t) (t,</w>) 9 each, the smallest is
# (e,s); then (es,t) beats (t,</w>) ("es" < "t"); (est,</w>) 9; (l,o) and (o,w) 7, so
# (l,o), then (lo,w); (e,w) (n,e) (w,est</w>) tie at 6: (e,w), then (ew,est</w>) < (n,ew),
# then (n,ewest</w>); (low,</w>) 5; the three 3s give (d,est</w>).
CLASSIC = {"low": 5, "lower": 2, "newest": 6, "widest": 3}
CLASSIC_MERGES = [["e", "s"], ["es", "t"], ["est", END], ["l", "o"], ["lo", "w"], ["e", "w"],
                  ["ew", "est" + END], ["n", "ewest" + END], ["low", END],
                  ["d", "est" + END]]  # fmt: skip


# autouse: its worker starts with the first check and imports numpy while the first
# checks run, instead of when the first check that needs it comes.
@pytest.fixture(scope="module", autouse=True)
def encode(submission):
    """The learner's bpe_encode(word, merges)."""
    yield from other_function(submission, "bpe_encode")


# -- the checks' own BPE -------------------------------------------------------------


def _merge_all(symbols: list[str], first: str, second: str) -> list[str]:
    """Every occurrence of (first, second), left to right, never overlapping."""
    out: list[str] = []
    fresh = False  # was out[-1] produced by this very merge?
    for symbol in symbols:
        if out and not fresh and out[-1] == first and symbol == second:
            out[-1] = first + second
            fresh = True
        else:
            out.append(symbol)
            fresh = False
    return out


def _glue(symbols: list[str], first: str, second: str) -> list[str]:
    """A common mistake: str.replace on the space-joined symbols (glues across symbols)."""
    return " ".join(symbols).replace(f"{first} {second}", first + second).split(" ")


def _train(words: dict[str, int], num_merges: int, pick=None, split=None,
           merge=_merge_all) -> list[list[str]]:  # fmt: skip
    """BPE merges for word counts; `pick`, `split`, `merge` swap in a mistake to diagnose."""
    split = split or (lambda word: [*word, END])
    state = [(split(word), count) for word, count in words.items()]
    merges: list[list[str]] = []
    while len(merges) < num_merges:
        counts: dict[tuple[str, str], int] = {}
        order: list[tuple[str, str]] = []
        for symbols, count in state:
            for pair in zip(symbols, symbols[1:], strict=False):
                if pair not in counts:
                    order.append(pair)
                counts[pair] = counts.get(pair, 0) + count
        if not counts:
            break
        top = max(counts.values())
        tied = [pair for pair in order if counts[pair] == top]
        first, second = pick(tied) if pick else min(tied)
        merges.append([first, second])
        state = [(merge(symbols, first, second), count) for symbols, count in state]
    return merges


def _encode(word: str, merges: list[list[str]]) -> list[str]:
    symbols = [*word, END]
    for first, second in merges:
        symbols = _merge_all(symbols, first, second)
    return symbols


def _counts(corpus: list[str], separator: str | None = None) -> dict[str, int]:
    words: dict[str, int] = {}
    for line in corpus:
        for word in line.split(separator):
            if word:
                words[word] = words.get(word, 0) + 1
    return words


def _corpus(rng, alphabet: str, words: int, lines: int = 4) -> list[str]:
    vocabulary = ["".join(rng.choice(list(alphabet), int(rng.integers(1, 6))))
                  for _ in range(words)]  # fmt: skip
    return [" ".join(rng.choice(vocabulary, int(rng.integers(3, 9)))) for _ in range(lines)]


# -- calling the learner ---------------------------------------------------------------


def _train_call(submission, corpus: list[str], num_merges: int) -> list[list[str]]:
    shown = repr(corpus) if len(repr(corpus)) < 80 else f"{len(corpus)} lines"
    call = f"train_bpe({shown}, {num_merges})"
    merges = submission.call(corpus, num_merges)
    ok = isinstance(merges, list | tuple) and all(
        isinstance(m, list | tuple) and len(m) == 2 and all(isinstance(s, str) for s in m)
        for m in merges
    )
    assert ok, say(
        en=f"{call} returned {describe(merges)}; expected a list of 2-item lists of strings, "
           "like [['e', 's'], ['es', 't']]",
        zh=f"{call} 返回了 {describe(merges)}；应当是由字符串二元列表组成的列表，例如 "
           "[['e', 's'], ['es', 't']]",
    )  # fmt: skip
    return [list(m) for m in merges], call


def _diagnose(merges, words: dict[str, int], num_merges: int) -> str:
    def first_seen(tied):
        return tied[0]

    candidates = [
        (dict(pick=first_seen), say(
            en="on a tie it took the pair seen first (dict order, Counter.most_common or "
               "max()); take the SMALLEST tied pair: min over (-count, pair)",
            zh="并列时它取了最先出现的一对（字典顺序、Counter.most_common 或 max()）；应取并列"
               "中“最小”的一对：对 (-count, pair) 取 min")),
        (dict(pick=max), say(
            en="on a tie it took the LARGEST pair; take the smallest",
            zh="并列时它取了“最大”的一对；应取最小的")),
        (dict(merge=_glue), say(
            en="it merged by string replace on space-joined symbols, which glues the pair's "
               "text across symbol boundaries ('ba a' with the pair (a, a) became 'baa'); "
               "walk the symbols with an index and compare whole symbols",
            zh="它在用空格连接的符号上用字符串替换来合并，会跨越符号边界把文本粘在一起（对 "
               "(a, a) 而言 'ba a' 变成了 'baa'）；应当用下标遍历符号并比较完整的符号")),
        (dict(split=lambda word: [*word]), say(
            en="the words have no end-of-word symbol: each word is its characters plus '</w>'",
            zh="单词没有词尾符号：每个单词是它的字符再加上 '</w>'")),
    ]  # fmt: skip
    for change, why in candidates:
        if merges == _train(words, num_merges, **change):
            return why
    expected = _train(words, num_merges)
    step = next((i for i, (a, b) in enumerate(zip(merges, expected, strict=False)) if a != b),
                min(len(merges), len(expected)))  # fmt: skip
    if step < min(len(merges), len(expected)):
        return say(en=f"merge {step + 1} is {merges[step]}, expected {expected[step]} (the "
                      f"first {step} agree)",
                   zh=f"第 {step + 1} 次合并是 {merges[step]}，应当是 {expected[step]}"
                      f"（前 {step} 次一致）")  # fmt: skip
    return say(en=f"it returned {len(merges)} merges, expected {len(expected)}",
               zh=f"返回了 {len(merges)} 次合并，应当是 {len(expected)} 次")  # fmt: skip


def _expect_merges(submission, corpus, num_merges, words=None) -> list[list[str]]:
    merges, call = _train_call(submission, corpus, num_merges)
    words = words or _counts(corpus)
    expected = _train(words, num_merges)
    if merges != expected:
        raise AssertionError(say(
            en=f"{call} learned {merges[:6]}{'...' if len(merges) > 6 else ''}: "
               f"{_diagnose(merges, words, num_merges)}",
            zh=f"{call} 学到 {merges[:6]}{'...' if len(merges) > 6 else ''}："
               f"{_diagnose(merges, words, num_merges)}",
        ))  # fmt: skip
    return merges


# -- the checks --------------------------------------------------------------------------


def test_returns_a_list_of_pairs(submission, report):
    """train_bpe returns a list of [first, second] string pairs."""
    merges, _ = _train_call(submission, ["low lower lowest"], 3)
    report(en=f"train_bpe(['low lower lowest'], 3) returned {merges}",
           zh=f"train_bpe(['low lower lowest'], 3) 返回 {merges}")  # fmt: skip


def test_merges_on_the_classic_corpus(submission, report):
    """Sennrich et al.'s corpus gives the 10 merges worked out by hand."""
    rng = fresh_rng()
    words = [word for word, count in CLASSIC.items() for _ in range(count)]
    rng.shuffle(words)
    cut = sorted(rng.choice(range(1, len(words)), 3, replace=False))
    corpus = [" ".join(part) for part in _split(words, cut)]
    merges, call = _train_call(submission, corpus, 10)
    counts = _counts(corpus)  # CLASSIC in the order this corpus shows its words
    if merges != CLASSIC_MERGES:
        raise AssertionError(say(
            en=f"on low x5, lower x2, newest x6, widest x3 (shuffled into {len(corpus)} lines) "
               f"train_bpe learned {merges}; expected {CLASSIC_MERGES}: "
               f"{_diagnose(merges, counts, 10)}",
            zh=f"在 low x5、lower x2、newest x6、widest x3（打乱成 {len(corpus)} 行）上，"
               f"train_bpe 学到 {merges}；应当是 {CLASSIC_MERGES}："
               f"{_diagnose(merges, counts, 10)}",
        ))  # fmt: skip
    report(
        en="the 10 merges of low/lower/newest/widest, in order, from e+s to d+est</w>",
        zh="low/lower/newest/widest 的 10 次合并，顺序正确，从 e+s 到 d+est</w>",
    )


def _split(items: list[str], cuts) -> list[list[str]]:
    bounds = [0, *cuts, len(items)]
    return [items[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def test_ties_pick_the_smallest_pair(submission, report):
    """On a tie the smallest pair wins, whatever order the words come in."""
    rng = fresh_rng()
    for _ in range(50):  # a corpus where the first tied pair seen is not the smallest
        letters = "".join(rng.permutation(list("abcdefgh")))
        words = [letters[i : i + 2] for i in range(0, 8, 2)]
        corpus = [" ".join(rng.permutation(words))]
        counts = _counts(corpus)
        if _train(counts, 4) != _train(counts, 4, pick=lambda tied: tied[0]):
            break
    merges = _expect_merges(submission, corpus, 4)
    report(
        en=f"{corpus[0]!r}: every pair ties, merges {merges[:2]}... smallest first",
        zh=f"{corpus[0]!r}：所有的对都并列，合并 {merges[:2]}……从最小的开始",
    )


def test_merges_every_occurrence_left_to_right(submission, report):
    """A merge replaces every occurrence, left to right ("a a a" -> "aa a")."""
    rng = fresh_rng()
    for _ in range(300):  # repeated letters where gluing across symbols would show
        corpus = ["aaa aaa baa aaaa", *_corpus(rng, "ab", 6)]
        counts = _counts(corpus)
        if _train(counts, 8, merge=_glue) != _train(counts, 8) and len(_train(counts, 8)) == 8:
            break
    merges = _expect_merges(submission, corpus, 8)
    report(
        en=f"repeated letters over {{a, b}}: the 8 merges match, {merges[:3]}...",
        zh=f"由 {{a, b}} 重复字母组成的语料：8 次合并都正确，{merges[:3]}……",
    )


def test_random_corpora(submission, report):
    """Fresh random corpora over small alphabets give the expected merges."""
    rng = fresh_rng()
    for alphabet in ("abc", "abcde", "lowerst"):
        corpus = _corpus(rng, alphabet, int(rng.integers(5, 10)), lines=6)
        possible = len(_train(_counts(corpus), 1000))  # stopping early is another check's
        _expect_merges(submission, corpus, min(int(rng.integers(6, 15)), possible))
    report(en="3 fresh corpora over 3, 5 and 7 letters: every merge as expected",
           zh="3 个新语料（3、5、7 个字母）：每次合并都正确")  # fmt: skip


def test_stops_when_no_pair_is_left(submission, report):
    """It stops early, without an error, once every word is a single symbol."""
    rng = fresh_rng()
    corpus = [" ".join(rng.permutation(["ab", "a", "ba", "b"]))]
    try:
        merges = _expect_merges(submission, corpus, 50)
    except AssertionError as failed:
        if type(failed).__name__ != "SubmissionFailed":  # a wrong merge, not a crash
            raise
        raise AssertionError(say(
            en=f"{failed}\nOnly {len(_train(_counts(corpus), 50))} merges are possible here: "
               "once every word is one symbol there is no pair left, so stop (break) instead "
               "of taking min() or max() of nothing",
            zh=f"{failed}\n这里只能合并 {len(_train(_counts(corpus), 50))} 次：每个单词都只剩"
               "一个符号时就没有符号对了，所以要停止（break），而不是对空集合取 min() 或 max()",
        )) from None  # fmt: skip
    empty, _ = _train_call(submission, corpus, 0)
    assert empty == [], say(en=f"train_bpe(corpus, 0) returned {empty}; expected []",
                            zh=f"train_bpe(corpus, 0) 返回 {empty}；应当是 []")  # fmt: skip
    report(
        en=f"asked for 50 merges on {corpus[0]!r}: stopped after {len(merges)}; 0 gives []",
        zh=f"在 {corpus[0]!r} 上要求 50 次合并：{len(merges)} 次后停止；0 次返回 []",
    )


def _encode_call(encode, word: str, merges: list[list[str]]) -> list[str]:
    call = f"bpe_encode({word!r}, {len(merges)} merges)"
    tokens = encode.call(word, merges)
    ok = isinstance(tokens, list | tuple) and all(isinstance(t, str) for t in tokens)
    assert ok, say(en=f"{call} returned {describe(tokens)}; expected a list of strings",
                   zh=f"{call} 返回了 {describe(tokens)}；应当是字符串列表")  # fmt: skip
    return list(tokens), call


def test_encode_applies_merges_in_order(encode, report):
    """bpe_encode applies the merges in the order learned, each everywhere."""
    rng = fresh_rng()
    merges = [["b", "c"], ["a", "b"], ["a", "bc"], ["abc", END]]  # order matters for "abc"
    cases = [("abc", merges), ("abcabc", merges)]
    corpus = _corpus(rng, "abcde", 8, lines=6)
    learned = _train(_counts(corpus), 12)
    cases += [(word, learned) for word in list(_counts(corpus))[:6]]
    for word, rules in cases:
        tokens, call = _encode_call(encode, word, rules)
        expected = _encode(word, rules)
        assert tokens == expected, say(
            en=f"{call} returned {tokens}; expected {expected}: start from "
               f"{[*word, END]} and apply merge 1 everywhere, then merge 2, and so on, in the "
               f"order learned (the merges: {rules[:5]}{'...' if len(rules) > 5 else ''})",
            zh=f"{call} 返回 {tokens}；应当是 {expected}：从 {[*word, END]} 开始，先在所有位置"
               f"应用第 1 条合并，再第 2 条，依此类推，按学到的顺序（合并规则：{rules[:5]}"
               f"{'……' if len(rules) > 5 else ''}）",
        )  # fmt: skip
    report(en=f"{len(cases)} words, including 'abc' where the order of the merges decides",
           zh=f"{len(cases)} 个单词，包括由合并顺序决定结果的 'abc'")  # fmt: skip


def test_unseen_word_falls_back_to_characters(encode, report):
    """A word of characters the merges never saw stays one symbol per character."""
    rng = fresh_rng()
    merges = _train(_counts(_corpus(rng, "abc", 6)), 6)
    for word in ("xyz", "qab"):
        tokens, call = _encode_call(encode, word, merges)
        expected = _encode(word, merges)
        assert tokens == expected, say(
            en=f"{call} returned {tokens}; expected {expected}: characters no merge mentions "
               "simply stay single symbols (no lookup that can fail, no <unk>)",
            zh=f"{call} 返回 {tokens}；应当是 {expected}：没有任何合并规则涉及的字符就保持为单个"
               "符号（不要用会失败的查表，也不要用 <unk>）",
        )  # fmt: skip
    report(en="'xyz' came back as x, y, z, </w>, and 'qab' kept its known merges",
           zh="'xyz' 还原为 x、y、z、</w>，'qab' 保留了已知的合并")  # fmt: skip


def test_chinese_text_character_by_character(submission, encode, report):
    """Chinese text is split on any whitespace and merged character by character."""
    rng = fresh_rng()
    vocabulary = ["我们", "他们", "你们", "学习", "学生", "我", "模型", "大模型"]
    words = [str(w) for w in rng.choice(vocabulary, 14)]
    corpus = ["\u3000".join(words[:5]), " ".join(words[5:9]), "\t".join(words[9:])]
    merges, call = _train_call(submission, corpus, 6)
    expected = _train(_counts(corpus), 6)
    if merges != expected:
        if merges == _train(_counts(corpus, " "), 6):
            why = say(en="it split on ' ' only: str.split() with no argument splits on any "
                         "whitespace, the ideographic space '\u3000' and tabs included",
                      zh="它只按 ' ' 切分：不带参数的 str.split() 按任何空白切分，包括全角空格"
                         "'\u3000' 和制表符")  # fmt: skip
        else:
            why = _diagnose(merges, _counts(corpus), 6)
        raise AssertionError(
            say(
                en=f"{call} learned {merges}; expected {expected}: {why}",
                zh=f"{call} 学到 {merges}；应当是 {expected}：{why}",
            )
        )
    tokens, call = _encode_call(encode, "我们的大模型", merges)
    assert tokens == _encode("我们的大模型", merges), say(
        en=f"{call} returned {tokens}; expected {_encode('我们的大模型', merges)}",
        zh=f"{call} 返回 {tokens}；应当是 {_encode('我们的大模型', merges)}",
    )  # fmt: skip
    report(en=f"Chinese corpus split on spaces, ideographic spaces and tabs: merges {merges[:2]}"
              f"...; 我们的大模型 -> {tokens}",
           zh=f"按空格、全角空格和制表符切分的中文语料：合并 {merges[:2]}……；"
              f"我们的大模型 -> {tokens}")  # fmt: skip
