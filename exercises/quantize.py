"""Exercise `quantize`: symmetric int8 quantization of a weight tensor, and back.

Write two functions:

`quantize_int8(w, axis=None) -> (q, scale)`
- `w`: a float array (a layer's weights), any shape.
- Symmetric quantization: scale = max|w| / 127 and q = round(w / scale), clipped to
  [-127, 127] (never -128), as np.int8. Zero maps to 0 exactly.
- axis=None: ONE scale for the whole tensor; return it as a float32 array of shape ()
  or of all-ones shape (1, 1, ...) (a np.float32 scalar works too).
- axis=a: one scale per CHANNEL, i.e. per index along axis `a`, taken over all the
  OTHER axes; `scale` keeps w's number of axes with size 1 everywhere but `a`
  (keepdims), so w / scale broadcasts. Example: w of shape (out, in), axis=0 gives
  scale of shape (out, 1), one per row.
- A channel (or tensor) of all zeros gets q = 0 and scale 1.0 (a positive scale, so
  w / scale is never 0 / 0): no NaN, no inf anywhere.
- q is np.int8, scale is np.float32; do not modify `w`; no Python loops over channels.

`dequantize(q, scale) -> w` returns q * scale as float32. Every value comes back within
half a step: |dequantize(q, scale) - w| <= scale / 2.

Example:

    >>> w = np.array([[0.5, -1.27, 0.0], [0.02, 0.01, -0.04]], dtype=np.float32)
    >>> q, scale = quantize_int8(w)            # one scale: 1.27 / 127 = 0.01
    >>> q
    array([[  50, -127,    0],
           [   2,    1,   -4]], dtype=int8)
    >>> q, scale = quantize_int8(w, axis=0)    # one scale per row
    >>> scale.ravel()                          # 1.27 / 127 and 0.04 / 127
    array([0.01      , 0.00031496], dtype=float32)
    >>> q[1]                                   # the small row keeps its precision
    array([  63,   32, -127], dtype=int8)
    >>> dequantize(q, scale)[1]
    array([ 0.01984252,  0.01007874, -0.04      ], dtype=float32)

练习 `quantize`：对权重张量做对称 int8 量化，以及反量化。

编写两个函数：

`quantize_int8(w, axis=None) -> (q, scale)`
- `w`：浮点数组（某一层的权重），任意形状。
- 对称量化：scale = max|w| / 127，q = round(w / scale)，截断到 [-127, 127]（不用 -128），
  类型为 np.int8。0 必须精确地映射为 0。
- axis=None：整个张量只用“一个”scale；以形状为 () 或全 1 形状 (1, 1, ...) 的 float32
  数组返回。
- axis=a：每个“通道”（沿轴 `a` 的每个下标）一个 scale，在所有“其他”轴上取最大值；
  `scale` 保持与 w 相同的轴数，除 `a` 外每个轴长度为 1（keepdims），使 w / scale 能广播。
  例如形状为 (out, in) 的 w，axis=0 得到形状 (out, 1) 的 scale，每行一个。
- 全为 0 的通道（或张量）得到 q = 0、scale 为 1.0（一个正数，使 w / scale 不会是
  0 / 0）：任何地方都不能出现 NaN 或 inf。
- q 为 np.int8，scale 为 np.float32；不要修改 `w`；不要用 Python 循环遍历各通道。

`dequantize(q, scale) -> w` 返回 float32 的 q * scale。每个值都在半个量化步长之内：
|dequantize(q, scale) - w| <= scale / 2。

示例见上方英文部分（数值相同）。

Check your work with `mlkata grade quantize`. / 用 `mlkata grade quantize` 检查。
"""

import numpy as np

INT8_MAX = 127  # symmetric: [-127, 127], so -q is always representable


def quantize_int8(w, axis=None):
    w = np.asarray(w)

    # TODO: max|w| over the whole tensor (axis None) or over every axis but `axis`
    #       (keepdims=True), then scale = max / 127 as float32, 1.0 where max == 0.

    # TODO: q = round(w / scale), clipped to [-127, 127], as np.int8.

    raise NotImplementedError("quantize_int8 is not written yet")


def dequantize(q, scale):
    # TODO: q * scale as float32.
    raise NotImplementedError("dequantize is not written yet")
