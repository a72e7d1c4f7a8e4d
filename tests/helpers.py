"Shared pieces of the test suite: the same functions run on PyTorch tensors and on microjax values."
import math
import torch
import microjax.engine as mj
import microjax.primitives as mp

torch.set_default_dtype(torch.float64)

FUNCTIONS = ['relu', 'log', 'exp', 'sin', 'cos', 'tanh', 'sigmoid', 'sqrt', 'abs']

class TorchOps:
    "The non-operator functions a test expression may use, for PyTorch (plain floats are made tensors)."
    round = staticmethod(lambda x: torch.round(torch.as_tensor(x)))
for _n in FUNCTIONS:
    setattr(TorchOps, _n, staticmethod(lambda x, f=getattr(torch, _n): f(torch.as_tensor(x))))

class MjOps:
    "The same functions for microjax."
    round = staticmethod(round)
for _n in FUNCTIONS:
    setattr(MjOps, _n, staticmethod(getattr(mp, _n)))

def as_list(g): return g if isinstance(g, list) else [g]

def torch_derivatives(f, xs, order):
    "All derivatives of `f(TorchOps, *xs)` up to `order`, keyed by the tuple of argument indices differentiated."
    X = [torch.tensor(float(x), requires_grad=True) for x in xs]
    res = {(): f(TorchOps, *X)}
    frontier = dict(res)
    for _ in range(order):
        nxt = {}
        for idx, val in frontier.items():
            if not (torch.is_tensor(val) and val.requires_grad): gs = [None] * len(X)
            else: gs = torch.autograd.grad(val, X, create_graph=True, allow_unused=True)
            for i, g in enumerate(gs): nxt[idx + (i,)] = torch.zeros(()) if g is None else g
        res.update(nxt); frontier = nxt
    return {k: float(torch.as_tensor(v).detach()) for k, v in res.items()}

def mj_derivative(f, idx):
    "The function of floats that evaluates the derivative of `f(MjOps, ...)` with respect to arguments `idx`, in order."
    g = lambda *xs: f(MjOps, *xs)
    for i in idx: g = (lambda g, i: lambda *xs: as_list(mj.grad(g)(*xs))[i])(g, i)
    return g

def assert_close(actual, expected, rtol=1e-9, atol=1e-12, what=''):
    "Relative comparison with a small absolute floor for values near zero."
    actual = float(actual)
    assert math.isclose(actual, expected, rel_tol=rtol, abs_tol=atol), f'{what}: microjax {actual!r}, torch {expected!r}'

def same(actual, expected, rtol=1e-12):
    "Equal as IEEE values: both nan, the same infinity, or close."
    if math.isnan(expected) or math.isinf(expected): return (math.isnan(actual) and math.isnan(expected)) or actual == expected
    return math.isclose(actual, expected, rel_tol=rtol, abs_tol=1e-300)

def check_edges_against_torch(f, xs, order=2):
    "At an edge of a domain: every derivative up to `order` is PyTorch's, `nan` and `inf` included."
    for idx, expected in torch_derivatives(f, xs, order).items():
        g = lambda *xs: f(MjOps, *xs)        # the value too is taken while tracing: on plain floats Python's `/` raises
        actual = mj.value_and_grad(g)(*xs)[0] if idx == () else float(mj_derivative(f, idx)(*xs))
        assert same(actual, expected), f'd{idx} at {xs}: microjax {actual!r}, torch {expected!r}'

def check_against_torch(f, xs, order=3, rtol=1e-9, atol=1e-12):
    "Compare `f`'s value and all its derivatives up to `order` at `xs` with PyTorch in float64."
    ref = torch_derivatives(f, xs, order)
    for idx, expected in ref.items():
        assert_close(mj_derivative(f, idx)(*xs), expected, rtol, atol, what=f'd{idx} at {xs}')
