"""Exercise `cnn`: build a small convolutional network for MNIST.

Write `build_model(input_shape=(28, 28, 1), num_classes=10) -> keras.Model`:

- The model takes images of shape `input_shape` (height, width, channels),
  in batches: (N, 28, 28, 1) for MNIST by default, but ANY shape passed in,
  e.g. (32, 32, 3) colour images.
- It contains at least one `Conv2D` layer and one pooling layer
  (`MaxPooling2D`, `AveragePooling2D` or a global pooling layer).
- Its output is (N, num_classes): softmax probabilities, each row summing to 1.
- It has at most 2,000,000 parameters (`model.count_params()`).
- It can learn: return it uncompiled or compiled, with trainable weights;
  the grader compiles it itself and checks that a few training steps lower
  the loss.
- Use only built-in Keras layers (no `Lambda` layers: the grader loads your
  model with `safe_mode=True`, which refuses them).

Example:

    >>> model = build_model()
    >>> model.output_shape
    (None, 10)
    >>> build_model(input_shape=(32, 32, 3), num_classes=5).output_shape
    (None, 5)

Check your work with `mlkata grade cnn`.
"""

import keras  # noqa: F401 (you will need these)
from keras import layers  # noqa: F401

# Model / data parameters (the defaults are MNIST's).
INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10


def build_model(input_shape=INPUT_SHAPE, num_classes=NUM_CLASSES):
    # TODO: start a keras.Sequential with keras.Input(shape=input_shape).

    # TODO: add a convolution block: Conv2D with a ReLU activation, then pooling.
    #       (A second block usually helps.)

    # TODO: flatten, and end with a Dense layer of `num_classes` units and a
    #       softmax activation, so each output row is a probability distribution.

    raise NotImplementedError("build_model is not written yet")
