"""A question's picture in the terminal: Unicode half-blocks in colour, ASCII shades when
the terminal has no colour, and a description in words when the output is piped."""

from __future__ import annotations

from grader.pictures import Drawing, Picture, facts

SHADES = " .:-=+*#%@"
HALF = "▀"  # upper half block: foreground colours the top pixel, background the bottom one

WORDS = {
    "digit": ("Picture (28x28, as the model receives it; shown as 0 = black to 1 = white): "
              "values from {low:.3g} to {high:.3g} (a model trained on MNIST / 255 expects "
              "0 to 1); "
              "background {background:.3g}; {ink:.0%} of pixels stand out from it, in rows "
              "{r0}-{r1} and columns {c0}-{c1} (an MNIST digit sits in about rows and columns "
              "4-23).",
              "图片（28x28，即模型接收到的样子；0 显示为黑、1 显示为白）：取值从 {low:.3g} 到 "
              "{high:.3g}（按 MNIST / 255 训练的模型期望 0 到 1）；背景为 {background:.3g}；"
              "{ink:.0%} 的像素与背景明显不同，位于第 {r0}-{r1} 行、第 {c0}-{c1} 列（MNIST "
              "数字大约位于第 4-23 行和列）。"),
    "confusion": ("Picture: confusion matrix of {total:,} test digits (rows: true digit, "
                  "columns: predicted), accuracy {accuracy:.1%}. Largest off-diagonal cells: "
                  "{pairs}.",
                  "图片：{total:,} 个测试数字的混淆矩阵（行：真实数字，列：预测数字），准确率 "
                  "{accuracy:.1%}。最大的非对角格：{pairs}。"),
    "pair": ("true {t} predicted as {p}: {n} of {row}", "真实 {t} 被预测为 {p}：{row} 个中 {n} 个"),
    "curves": ("Picture: learning curves over {epochs} epochs (first value, trend, last value):",
               "图片：{epochs} 个 epoch 的学习曲线（首值、走势、末值）："),
    "heat_legend": ("rows: true digit; columns: predicted; darker = more of the row's "
                    "digits; the diagonal (right answers) in grey",
                    "行：真实数字；列：预测数字；颜色越深，该行数字被这样预测的越多；"
                    "对角线（答对的）为灰色"),
    "ascii_legend": ("rows: true digit; columns: predicted; denser = more; ## marks the "
                     "diagonal (right answers)",
                     "行：真实数字；列：预测数字；符号越密表示越多；## 为对角线（答对的）"),
}  # fmt: skip


def say(lang: str, key: str, **values: object) -> str:
    return WORDS[key][lang == "zh"].format(**values)


def legend(drawing: Drawing, lang: str, plain: bool) -> list[str]:
    """What the drawing's marks mean, under it."""
    if drawing.picture.kind == "confusion":
        return [say(lang, "ascii_legend" if plain else "heat_legend")]
    return []


def describe(drawing: Drawing, lang: str) -> list[str]:
    """The picture in words, for a pipe or a screen reader."""
    f = facts(drawing)
    kind = drawing.picture.kind
    if kind == "digit":
        return [say(lang, "digit", low=f["low"], high=f["high"], background=f["background"],
                    ink=f["ink_share"], r0=f["rows"][0], r1=f["rows"][1], c0=f["cols"][0],
                    c1=f["cols"][1])]  # fmt: skip
    if kind == "confusion":
        sep = "；" if lang == "zh" else "; "
        pairs = sep.join(
            say(lang, "pair", t=t, p=p, n=n, row=row) for t, p, n, row in f["confused"]
        )
        return [say(lang, "confusion", total=f["total"], accuracy=f["accuracy"], pairs=pairs)]
    from grader.curves import text_summary

    return [say(lang, "curves", epochs=f["epochs"])] + [
        f"  {line}" for line in text_summary(_history(drawing.picture))
    ]


def colour_lines(drawing: Drawing) -> list:
    """Rich Text lines: half-blocks for a digit or curves, coloured cells for a heat map."""
    from rich.text import Text

    if drawing.picture.kind == "confusion":
        return _heat_map(drawing, colour=True)
    rgb = _rgb_rows(drawing)
    lines = []
    for top, bottom in zip(rgb[::2], rgb[1::2], strict=False):
        line = Text()
        for (r1, g1, b1), (r2, g2, b2) in zip(top, bottom, strict=True):
            line.append(HALF, style=f"rgb({r1},{g1},{b1}) on rgb({r2},{g2},{b2})")
        lines.append(line)
    if drawing.picture.kind == "curves":
        lines.append(_legend())
    return lines


def ascii_lines(drawing: Drawing) -> list[str]:
    """Plain characters for a terminal without colour."""
    kind = drawing.picture.kind
    if kind == "confusion":
        return _heat_map(drawing, colour=False)
    if kind == "curves":
        from grader.curves import text_chart

        return text_chart(_history(drawing.picture)).splitlines()
    rows = drawing.values
    lines = []
    for top, bottom in zip(rows[::2], rows[1::2], strict=True):
        cells = [(_clip(a) + _clip(b)) / 2 for a, b in zip(top, bottom, strict=True)]
        lines.append("".join(SHADES[round(v * (len(SHADES) - 1))] for v in cells))
    return lines


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def _rgb_rows(drawing: Drawing) -> list[list[tuple[int, int, int]]]:
    if drawing.picture.kind == "digit":
        return [[(g, g, g) for g in (round(_clip(v) * 255) for v in row)] for row in drawing.values]
    return _curve_pixels(drawing.picture)


def _history(picture: Picture):
    from grader.curves import History

    history = History()
    for name, values in picture.curves:
        history.metrics[name] = list(values)
    history.epochs = list(range(1, len(picture.curves[0][1]) + 1))
    return history


def _curve_pixels(picture: Picture, width: int = 640, height: int = 400, block: int = 8):
    """The PNG that `mlkata grade --plot` writes, drawn by the same function, then reduced to
    one terminal cell per 8x8 block (the block's darkest pixel, so thin lines survive)."""
    from grader.curves import _draw

    pixels = _draw(_history(picture), width, height)
    rows = []
    for by in range(0, height, block):
        row = []
        for bx in range(0, width, block):
            starts = [((by + y) * width + bx + x) * 3 for y in range(block) for x in range(block)]
            darkest = min((tuple(pixels[at : at + 3]) for at in starts), key=sum)
            row.append(darkest)
        rows.append(row)
    return rows


def _legend():
    from rich.text import Text

    from grader.curves import COLOURS

    legend = Text()
    for n, name in enumerate(("loss", "val_loss", "accuracy", "val_accuracy")):
        r, g, b = COLOURS[n]
        legend.append("■ ", style=f"rgb({r},{g},{b})").append(f"{name}   ")
    return legend


def _heat_map(drawing: Drawing, colour: bool) -> list:
    from rich.text import Text

    m = drawing.matrix
    lines: list = ["    " + "".join(f"{p:>2} " for p in range(10))]
    for t in range(10):
        total = sum(m[t]) or 1
        line = Text(f" {t} ") if colour else f" {t} "
        for p in range(10):
            share = m[t][p] / total
            if colour:
                level = 255 - round(min(1.0, share * 4) * 200)  # 25% of a row is darkest
                style = "on rgb(150,150,150)" if t == p else f"on rgb(255,{level},{level})"
                line.append(" ", style="").append("  ", style=style)
            else:
                shade = SHADES[min(len(SHADES) - 1, round(share * 4 * (len(SHADES) - 1)))]
                line += " " + ("##" if t == p else shade * 2)
        lines.append(line)
    return lines
