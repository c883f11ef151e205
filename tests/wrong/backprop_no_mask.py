"""Wrong: the backward pass forgets the ReLU: the gradient flows through
units that were off."""

import numpy as np


def mlp_gradients(x, y, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = len(y)
    z1 = x @ W1 + b1
    h = np.maximum(z1, 0)
    logits = h @ W2 + b2
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), y]).mean()
    one_hot = np.eye(p.shape[1])[y]
    dlogits = (p - one_hot) / n
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(axis=0)
    dz1 = dlogits @ W2.T
    dW1 = x.T @ dz1
    db1 = dz1.sum(axis=0)
    return {"loss": float(loss), "W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
