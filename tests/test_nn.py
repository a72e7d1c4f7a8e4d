"The nn models and the demo's loss against the same network written in PyTorch (float64)."
import math, random
import torch
from microjax.engine import value_and_grad
from microjax.nn import MLP, svm_loss

def torch_mlp(params, nin, nouts, x):
    "The MLP of `params` (in `MLP.parameters()` order) on input `x`, in torch."
    start = 0
    for i, (a, b) in enumerate(zip([nin, *nouts], nouts)):
        W = params[start:start + (a + 1) * b].reshape(b, a + 1)
        start += (a + 1) * b
        x = W[:, :a] @ x + W[:, a]
        if i < len(nouts) - 1: x = torch.relu(x)
    return x[0]

def test_moons_sized_loss_and_gradients_match_torch():
    rng = random.Random(5)
    X = [[rng.uniform(-1.5, 2.5), rng.uniform(-1, 1.5)] for _ in range(20)]
    y = [rng.choice([-1, 1]) for _ in X]
    sizes = [16, 16, 1]
    params = MLP.init(2, sizes, seed=2).parameters()
    value, grads = value_and_grad(lambda *ps: svm_loss(MLP.from_parameters(ps, 2, sizes), X, y))(*params)

    P = torch.tensor(params, dtype=torch.float64, requires_grad=True)
    scores = torch.stack([torch_mlp(P, 2, sizes, torch.tensor(x, dtype=torch.float64)) for x in X])
    loss = torch.relu(1 - torch.tensor(y, dtype=torch.float64) * scores).mean() + 1e-4 * (P * P).sum()
    loss.backward()
    assert len(grads) == 337
    assert math.isclose(value, loss.item(), rel_tol=1e-12)
    for g, ref in zip(grads, P.grad.tolist()):
        assert math.isclose(g, ref, rel_tol=1e-9, abs_tol=1e-12)
