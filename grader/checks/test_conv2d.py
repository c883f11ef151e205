"""Hidden checks for `conv2d`: conv2d(x, kernel, bias, stride, padding) -> Keras' Conv2D output.

PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.

Inputs are drawn fresh at every grading. The expected output is computed here in
float64 by summing shifted slices, one per kernel offset, independently of any
solution; tests/test_classic_references.py proves this reference equals
`keras.layers.Conv2D` with the same weights (valid/same, strides 1-2, odd and even
kernels), so the checks need no TensorFlow and grade in well under a second.

Each check isolates one property. The padding and stride checks use kernels that are
symmetric under a half turn (kernel[a, b] == kernel[kh-1-a, kw-1-b]), for which a
flipped kernel changes nothing: flipping is judged by the first check alone.
"""

from __future__ import annotations

import numpy as np

from grader.checks.support import say

# The vectorisation check, judged on the worker's CPU seconds for each call (measured
# by the grader from /proc). Two inputs: 20,000 tiny images (one 3x3 window each), where
# a loop over the images pays Python's overhead 20,000 times, and one 256x256 image,
# where a loop over the 65,536 output positions does. Measured on this 2-core machine
# while it was shared (noisy), best of three, in-process: vectorised answers (the
# reference, the fairness answers, plain einsum without optimize) 0.000-0.015 s and
# 0.002-0.04 s; a loop over the images 0.36 s; a loop over the positions 0.72 s.
BIG_CASES = (
    ((20000, 3, 3, 2), (3, 3, 2, 2), "valid"),
    ((1, 256, 256, 1), (3, 3, 1, 2), "same"),
)
LIMIT_S = 0.15
TOLERANCE = 1e-4  # relative to the output's scale: float32 sums of a few hundred terms


def reference(x, kernel, bias=None, stride=1, padding="valid", pad_extra_first=False):
    """Keras' Conv2D in float64: sum over kernel offsets of a shifted, strided slice times
    that offset's (C_in, C_out) matrix. `pad_extra_first` puts an odd padding's extra
    row/column on the top/left instead (a mistake the checks recognise)."""
    x = np.asarray(x, np.float64)
    kernel = np.asarray(kernel, np.float64)
    kh, kw = kernel.shape[:2]
    if padding == "same":
        pads = []
        for size, k in ((x.shape[1], kh), (x.shape[2], kw)):
            out = -(-size // stride)
            total = max((out - 1) * stride + k - size, 0)
            small, large = total // 2, total - total // 2
            pads.append((large, small) if pad_extra_first else (small, large))
        x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    rows = (x.shape[1] - kh) // stride + 1
    cols = (x.shape[2] - kw) // stride + 1
    y = np.zeros((x.shape[0], rows, cols, kernel.shape[3]))
    for a in range(kh):
        for b in range(kw):
            patch = x[
                :,
                a : a + stride * (rows - 1) + 1 : stride,
                b : b + stride * (cols - 1) + 1 : stride,
            ]
            y += patch @ kernel[a, b]
    return y if bias is None else y + np.asarray(bias, np.float64)


def _images(rng, n, h, w, c):
    return rng.standard_normal((n, h, w, c)).astype(np.float32)


def _kernel(rng, kh, kw, c_in, c_out, symmetric=False):
    kernel = rng.standard_normal((kh, kw, c_in, c_out))
    if symmetric:  # unchanged by a half turn, so flipping it changes nothing
        kernel = kernel + kernel[::-1, ::-1]
    return kernel.astype(np.float32)


def _shown(x, kernel, stride, padding, bias=None) -> str:
    extra = "" if bias is None else ", bias"
    return (f"conv2d(x {x.shape}, kernel {kernel.shape}{extra}, stride={stride}, "
            f"padding={padding!r})")  # fmt: skip


def _matches(out, expected) -> bool:
    scale = max(float(np.abs(expected).max()), 1.0)
    return out.shape == expected.shape and bool(
        np.allclose(out.astype(np.float64), expected, rtol=0, atol=TOLERANCE * scale)
    )


def _diagnose(out, x, kernel, stride, padding, bias=None) -> tuple[str, str]:
    """Name the mistake when the output matches a known wrong computation."""
    if _matches(out, reference(x, kernel[::-1, ::-1], bias, stride, padding)):
        return (
            "your conv2d flipped the kernel: Keras' Conv2D is a cross-correlation, "
            "y[i, j] = sum x[i + a, j + b] * kernel[a, b], with no kernel[::-1, ::-1]",
            "你的 conv2d 翻转了卷积核：Keras 的 Conv2D 是互相关，"
            "y[i, j] = sum x[i + a, j + b] * kernel[a, b]，不做 kernel[::-1, ::-1]",
        )
    extra_first = padding == "same" and _matches(
        out, reference(x, kernel, bias, stride, padding, pad_extra_first=True)
    )
    if stride > 1 and padding == "same":
        subsampled = reference(x, kernel, bias, 1, "same")[:, ::stride, ::stride]
        if extra_first or _matches(out, subsampled):
            # At stride 2 both mistakes start the windows one row/column early.
            return (
                "your windows start one row/column too early. Either the padding was worked "
                f"out for stride 1 (then every {stride}nd value kept), or an odd padding's extra "
                "row went on the top/left. With a stride, 'same' pads "
                "max((H_out - 1) * stride + kh - H, 0) rows in all, H_out = ceil(H / stride), "
                "pad // 2 on top and the rest at the bottom",
                "你的窗口起点早了一行/一列：要么按步长 1 计算了填充（再每隔 "
                f"{stride} 个取一个），要么把奇数填充多出的一行放在了上方/左侧。有步长时，"
                "'same' 总共填充 max((H_out - 1) * stride + kh - H, 0) 行，"
                "H_out = ceil(H / stride)，上方 pad // 2，其余在下方",
            )
    if extra_first:
        return (
            "your 'same' padding puts the extra row/column of an odd padding on the top/left; "
            "Keras and TensorFlow put pad // 2 before and the rest (the extra one) at the "
            "bottom/right",
            "你的 'same' 填充在总数为奇数时把多出的一行/列放在了上方/左侧；Keras 与 TensorFlow "
            "在前面放 pad // 2，其余（多出的那一行/列）放在下方/右侧",
        )
    if padding == "same" and _matches(out, reference(x, kernel, bias, stride, "valid")):
        return (
            "your conv2d ignored padding='same' and computed a 'valid' convolution",
            "你的 conv2d 忽略了 padding='same'，算成了 'valid' 卷积",
        )
    return ("", "")


def _expect(out, x, kernel, stride, padding, bias=None) -> None:
    """Assert `out` equals Keras' Conv2D on these inputs; name the mistake otherwise."""
    shown = _shown(x, kernel, stride, padding, bias)
    expected = reference(x, kernel, bias, stride, padding)
    assert isinstance(out, np.ndarray), say(
        en=f"{shown} returned {type(out).__name__}; expected a numpy array of shape "
           f"{expected.shape}",
        zh=f"{shown} 返回了 {type(out).__name__}；应返回形状为 {expected.shape} 的 numpy 数组",
    )  # fmt: skip
    if _matches(out, expected):
        return
    en, zh = _diagnose(out, x, kernel, stride, padding, bias)
    if en:
        raise AssertionError(say(en=f"{shown}: {en}", zh=f"{shown}：{zh}"))
    rule = (
        "valid: H_out = (H - kh) // stride + 1"
        if padding == "valid"
        else "same: H_out = ceil(H / stride)"
    )
    assert out.shape == expected.shape, say(
        en=f"{shown} returned shape {out.shape}; expected {expected.shape} ({rule})",
        zh=f"{shown} 返回的形状是 {out.shape}；应为 {expected.shape}（{rule}）",
    )
    assert np.all(np.isfinite(out)), say(
        en=f"{shown} returned NaN or inf values; expected finite numbers",
        zh=f"{shown} 返回了 NaN 或 inf；应全部是有限的数",
    )
    diff = np.abs(out.astype(np.float64) - expected)
    where = tuple(int(i) for i in np.unravel_index(diff.argmax(), diff.shape))
    differ = int((diff > TOLERANCE * max(float(np.abs(expected).max()), 1.0)).sum())
    raise AssertionError(say(
        en=f"{shown}: at index {where} you gave {float(out[where]):.6g}, Keras' Conv2D gives "
           f"{expected[where]:.6g} ({differ} of {diff.size} values differ)",
        zh=f"{shown}：在下标 {where} 处你得到 {float(out[where]):.6g}，Keras 的 Conv2D 得到 "
           f"{expected[where]:.6g}（{diff.size} 个值中有 {differ} 个不同）",
    ))  # fmt: skip


def test_cross_correlation_not_flipped(submission, report):
    """'valid', stride 1: equals Keras' Conv2D, a cross-correlation (the kernel is not flipped)."""
    rng = np.random.default_rng()
    sizes = []
    for kh, kw in ((3, 3), (2, 3)):
        n, h, w = int(rng.integers(1, 4)), int(rng.integers(6, 11)), int(rng.integers(6, 11))
        c_in, c_out = int(rng.integers(1, 4)), int(rng.integers(2, 5))
        x, kernel = _images(rng, n, h, w, c_in), _kernel(rng, kh, kw, c_in, c_out)
        _expect(submission.call(x, kernel), x, kernel, 1, "valid")
        sizes.append(f"{kh}x{kw}")
    report(
        en=f"equals Keras' Conv2D for random {' and '.join(sizes)} kernels, unflipped",
        zh=f"对随机的 {' 与 '.join(sizes)} 卷积核与 Keras 的 Conv2D 一致，没有翻转",
    )


def test_bias_added_per_output_channel(submission, report):
    """bias adds bias[o] to every position of output channel o; bias=None adds nothing."""
    rng = np.random.default_rng()
    c_out = int(rng.integers(3, 6))
    x, kernel = _images(rng, 2, 7, 6, 2), _kernel(rng, 3, 3, 2, c_out)
    bias = rng.uniform(1.0, 5.0, c_out).astype(np.float32) * rng.choice([-1, 1], c_out)
    with_bias = submission.call(x, kernel, bias)
    without = submission.call(x, kernel)
    shown = _shown(x, kernel, 1, "valid", bias)
    for out in (with_bias, without):
        assert isinstance(out, np.ndarray) and out.shape == (2, 5, 4, c_out), say(
            en=f"{shown} returned {getattr(out, 'shape', type(out).__name__)}; expected an array "
               f"of shape (2, 5, 4, {c_out})",
            zh=f"{shown} 返回了 {getattr(out, 'shape', type(out).__name__)}；应返回形状为 "
               f"(2, 5, 4, {c_out}) 的数组",
        )  # fmt: skip
    added = (with_bias.astype(np.float64) - without).reshape(-1, c_out)
    assert np.allclose(added, bias, atol=1e-4), say(
        en=f"{shown}: the output with bias minus the output without it is "
           f"{np.round(added[0], 3)} at the first position; expected the bias "
           f"{np.round(bias, 3)} at every position (y = correlation + bias[o], added once per "
           "output channel, after the sum)",
        zh=f"{shown}：有 bias 与无 bias 的输出之差在第一个位置为 {np.round(added[0], 3)}；"
           f"每个位置都应等于 bias {np.round(bias, 3)}（y = 互相关 + bias[o]，在求和之后按输出"
           "通道加一次）",
    )  # fmt: skip
    report(
        en=f"bias[o] added once to every position of each of {c_out} channels",
        zh=f"bias[o] 在 {c_out} 个通道的每个位置上各加了一次",
    )


def test_same_padding_odd_kernel(submission, report):
    """'same', stride 1, 3x3 and 5x5 kernels: the output keeps H x W, zeros padded evenly."""
    rng = np.random.default_rng()
    for k in (3, 5):
        h, w = int(rng.integers(5, 10)), int(rng.integers(5, 10))
        x, kernel = _images(rng, 2, h, w, 2), _kernel(rng, k, k, 2, 3, symmetric=True)
        _expect(submission.call(x, kernel, padding="same"), x, kernel, 1, "same")
    report(
        en="3x3 and 5x5 'same' outputs equal Keras'", zh="3x3 与 5x5 的 'same' 输出与 Keras 一致"
    )


def test_same_padding_even_kernel(submission, report):
    """'same', stride 1, 2x2 and 4x2 kernels: the odd padding's extra row goes at the bottom."""
    rng = np.random.default_rng()
    for kh, kw in ((2, 2), (4, 2)):
        h, w = int(rng.integers(5, 10)), int(rng.integers(5, 10))
        x, kernel = _images(rng, 2, h, w, 2), _kernel(rng, kh, kw, 2, 3, symmetric=True)
        _expect(submission.call(x, kernel, padding="same"), x, kernel, 1, "same")
    report(
        en="2x2 and 4x2 'same' outputs equal Keras', extra padding at the bottom/right",
        zh="2x2 与 4x2 的 'same' 输出与 Keras 一致，多出的填充在下方/右侧",
    )


def test_stride_2(submission, report):
    """Stride 2, 'valid' and 'same', odd and even image sizes: equals Keras' Conv2D."""
    rng = np.random.default_rng()
    cases = []
    for padding, h, w, k in (("valid", 9, 8, 3), ("same", 8, 8, 3), ("same", 9, 7, 3),
                             ("valid", 8, 9, 2), ("same", 10, 7, 4)):  # fmt: skip
        x, kernel = _images(rng, 2, h, w, 2), _kernel(rng, k, k, 2, 3, symmetric=True)
        _expect(submission.call(x, kernel, stride=2, padding=padding), x, kernel, 2, padding)
        cases.append(f"{padding} {h}x{w}")
    report(
        en=f"stride 2 equals Keras for {len(cases)} cases ({', '.join(cases)})",
        zh=f"步长 2 的 {len(cases)} 种情形都与 Keras 一致（{', '.join(cases)}）",
    )


def test_vectorised_over_images_and_positions(submission, report):
    """20,000 tiny images, then one 256x256 image: no Python loop over images or positions."""
    rng = np.random.default_rng()
    used_total, shown = 0.0, ""
    for shape, kernel_shape, padding in BIG_CASES:
        x = _images(rng, *shape)
        kernel = _kernel(rng, *kernel_shape, symmetric=True)  # flipping is judged elsewhere
        out = submission.call(x, kernel, padding=padding)
        used = submission.last_call_cpu_s
        shown = _shown(x, kernel, 1, padding)
        expected = reference(x[:1], kernel, padding=padding)
        expected_shape = (shape[0], *expected.shape[1:])
        assert isinstance(out, np.ndarray) and out.shape == expected_shape, say(
            en=f"{shown} returned {getattr(out, 'shape', type(out).__name__)}; expected shape "
               f"{expected_shape}",
            zh=f"{shown} 返回了 {getattr(out, 'shape', type(out).__name__)}；应为形状 "
               f"{expected_shape}",
        )  # fmt: skip
        picked = rng.integers(0, shape[0], 4)
        expected = reference(x[picked], kernel, padding=padding)
        assert _matches(out[picked], expected), say(
            en=f"{shown} gave wrong values on this large input (the smaller checks show where)",
            zh=f"{shown} 在这个大输入上的数值不对（较小的检查会指出在哪里）",
        )
        used_total += 0.0 if used is None else used
        assert used is None or used <= LIMIT_S, say(
            en=f"{shown} used {used:.2f} s of CPU; at most {LIMIT_S} s is allowed (a vectorised "
               "answer takes 0.01-0.05 s; a Python loop over the images or over the output "
               "positions takes several times longer). Loop over the kh * kw kernel offsets at "
               "most, or take all windows at once with sliding_window_view and multiply them by "
               "the kernel with einsum/tensordot",
            zh=f"{shown} 用了 {used:.2f} 秒 CPU；上限 {LIMIT_S} 秒（向量化的答案约 0.01-0.05 秒；"
               "对图像或输出位置写 Python 循环要慢好几倍）。最多对 kh * kw 个卷积核偏移循环，"
               "或用 sliding_window_view 一次取出所有窗口，再用 einsum/tensordot 与卷积核相乘",
        )  # fmt: skip
    report(
        en=f"{BIG_CASES[0][0][0]:,} tiny images and one of {BIG_CASES[1][0][1]}x"
           f"{BIG_CASES[1][0][2]} in {used_total:.3f} s of CPU (limit {LIMIT_S} s each)",
        zh=f"{BIG_CASES[0][0][0]:,} 张小图像和一张 {BIG_CASES[1][0][1]}x{BIG_CASES[1][0][2]} "
           f"的图像共用 {used_total:.3f} 秒 CPU（每次上限 {LIMIT_S} 秒）",
    )  # fmt: skip
