"The optimizers against torch.optim on the same problem, step by step, in float64."
import math
import pytest, torch
from microjax.engine import value_and_grad
from microjax.primitives import sin
from microjax.optimizers import sgd, momentum, adam, apply_updates

def loss(p): return (p['a'] - 1.0) ** 2 + sin(p['b'][0]) * p['b'][1] + 0.5 * p['b'][1] ** 4
def loss_torch(a, b0, b1): return (a - 1.0) ** 2 + torch.sin(b0) * b1 + 0.5 * b1 ** 4

@pytest.mark.parametrize('ours,theirs', [
    (lambda: sgd(0.05), lambda ps: torch.optim.SGD(ps, lr=0.05)),
    (lambda: momentum(0.05, beta=0.9), lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9)),
    (lambda: momentum(0.05, beta=0.9, nesterov=True), lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True)),
    (lambda: adam(0.05), lambda ps: torch.optim.Adam(ps, lr=0.05)),
    (lambda: adam(0.01, b1=0.8, b2=0.99, eps=1e-6), lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
])
def test_matches_torch_optim(ours, theirs):
    params = {'a': 0.3, 'b': [0.7, -0.4]}
    T = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (0.3, 0.7, -0.4)]
    opt, topt = ours(), theirs(T)
    state = opt.init(params)
    for _ in range(10):
        value, grads = value_and_grad(loss)(params)
        updates, state = opt.update(grads, state, params)
        params = apply_updates(params, updates)
        topt.zero_grad()
        l = loss_torch(*T); l.backward(); topt.step()
        assert math.isclose(value, l.item(), rel_tol=1e-10)
    ours_flat = [params['a'], *params['b']]
    assert all(math.isclose(a, t.item(), rel_tol=1e-9, abs_tol=1e-12) for a, t in zip(ours_flat, T)), (ours_flat, T)
