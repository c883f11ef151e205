"""Fair: small layer objects, each with forward and backward, chained in a list."""

import numpy as np


class Linear:
    def __init__(self, weight, bias):
        self.weight, self.bias = weight, bias

    def forward(self, inputs):
        self.inputs = inputs
        return inputs @ self.weight + self.bias

    def backward(self, grad_out):
        self.grad_weight = self.inputs.T @ grad_out
        self.grad_bias = grad_out.sum(axis=0)
        return grad_out @ self.weight.T


class Relu:
    def forward(self, inputs):
        self.on = inputs > 0
        return inputs * self.on

    def backward(self, grad_out):
        return grad_out * self.on


def mlp_gradients(x, y, params):
    first, second = Linear(params["W1"], params["b1"]), Linear(params["W2"], params["b2"])
    layers = [first, Relu(), second]
    out = np.asarray(x, dtype=np.float64)
    for layer in layers:
        out = layer.forward(out)
    out = out - out.max(axis=1, keepdims=True)
    log_softmax = out - np.log(np.exp(out).sum(axis=1, keepdims=True))
    count = len(y)
    loss = -log_softmax[np.arange(count), y].sum() / count
    grad = np.exp(log_softmax)
    np.subtract.at(grad, (np.arange(count), y), 1.0)
    grad /= count
    for layer in reversed(layers):
        grad = layer.backward(grad)
    return {
        "loss": loss,
        "W1": first.grad_weight,
        "b1": first.grad_bias,
        "W2": second.grad_weight,
        "b2": second.grad_bias,
    }
