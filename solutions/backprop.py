"""Reference solution: forward pass, then the chain rule layer by layer, for a whole batch."""

import numpy as np


def mlp_gradients(x, y, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]

    # Forward, keeping what the backward pass needs.
    z1 = x @ W1 + b1
    h = np.maximum(z1, 0.0)
    logits = h @ W2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)  # stable: exp() of values <= 0
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -log_p[rows, y].mean()

    # Backward. d(mean loss)/d(logits) = (softmax - one_hot) / N.
    dlogits = np.exp(log_p)
    dlogits[rows, y] -= 1.0
    dlogits /= n
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(axis=0)  # b2 was added to every row: its gradient sums over them
    dh = dlogits @ W2.T
    dz1 = dh * (z1 > 0)  # ReLU passes the gradient only where it was active
    dW1 = x.T @ dz1
    db1 = dz1.sum(axis=0)
    return {"loss": float(loss), "W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
