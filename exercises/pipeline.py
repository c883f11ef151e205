"""Exercise `pipeline`: train and evaluate an MNIST classifier, end to end, honestly.

Write `train_and_evaluate(x_train, y_train, x_test, y_test) -> (model, test_accuracy)`:

- Inputs are raw MNIST: images uint8 (N, 28, 28) with pixels 0-255 and
  integer labels (N,) from 0 to 9, as `keras.datasets.mnist.load_data()`
  (or mlkata's `grader.data.load_mnist()`) returns them.
- Preprocess: scale pixels to float32 in [0, 1] by dividing by 255, and add
  the channel axis Conv2D needs: (N, 28, 28) -> (N, 28, 28, 1).
- Build and compile a small CNN, and train it on the TRAINING data only
  (a validation split carved from the training data is fine).
- Pin the seeds first (`keras.utils.set_random_seed(0)`), so that the same
  data always gives the same model.
- Evaluate it once on the test data and return the trained model and its
  test accuracy, a float in [0, 1].

The grader judges the model itself, feeding it images as float32 / 255 of
shape (N, 28, 28, 1):
- it keeps some test digits back and measures accuracy on digits your code
  never saw (aim for about 0.96);
- your reported accuracy must match what it measures on the test set you got;
- it runs your pipeline twice, on the same training digits with two
  different test sets: the two models must be the same. A model trained,
  early-stopped or normalised on the test set depends on it, and fails.
Training should take well under a minute on a laptop CPU (a few epochs).

Example:

    >>> from grader.data import load_mnist
    >>> (x_train, y_train), (x_test, y_test) = load_mnist()
    >>> model, accuracy = train_and_evaluate(x_train, y_train, x_test, y_test)
    >>> round(accuracy, 2)
    0.96

Check your work with `mlkata grade pipeline`.
"""

import keras  # noqa: F401 (you will need these)
import numpy as np  # noqa: F401
from keras import layers  # noqa: F401

# Model / training parameters.
NUM_CLASSES = 10
BATCH_SIZE = 128
EPOCHS = 5


def train_and_evaluate(x_train, y_train, x_test, y_test):
    keras.utils.set_random_seed(0)  # the same data gives the same model

    # TODO: preprocess both sets: float32 in [0, 1], shape (N, 28, 28, 1).

    # TODO: build a small CNN (see the `cnn` exercise) and compile it with
    #       "sparse_categorical_crossentropy", an optimizer and metrics=["accuracy"].

    # TODO: fit on the training data ONLY (validation_split=0.1 is fine).

    # TODO: evaluate once on the test data; return (model, test_accuracy).

    raise NotImplementedError("train_and_evaluate is not written yet")
