"""Control flow (`microjax.lax`) against Python's own `if` and loops, PyTorch in float64 and closed forms, in
every mode: eager, grad, jvp, jit, vmap and their compositions."""
import math, random
import pytest, torch
import microjax as mj
from microjax.core import trace_stack
from microjax.lax import cond, switch, scan, fori_loop, while_loop

torch.set_default_dtype(torch.float64)


def close(a, b, rel=1e-12):
    a, b = mj.tree_util.tree_leaves(a), mj.tree_util.tree_leaves(b)
    assert len(a) == len(b), (a, b)
    for u, v in zip(a, b):
        assert abs(float(u) - float(v)) <= rel * max(1.0, abs(float(v))), (u, v)


# ---- cond and switch
def branchy(x, y):
    return cond(x * y > 0.5, lambda a, b: (mj.sin(a) * b, a - b), lambda a, b: (b * b, a * a * b), x, y)

def branchy_py(x, y):
    return (mj.sin(x) * y, x - y) if x * y > 0.5 else (y * y, x * x * y)

POINTS = [(1.0, 2.0), (-1.0, 2.0), (0.3, 0.4), (2.0, -3.0), (-1.5, -2.0)]

@pytest.mark.parametrize('x,y', POINTS)
def test_cond_matches_python_if_in_every_mode(x, y):
    want = branchy_py(x, y)
    assert branchy(x, y) == want and mj.jit(branchy)(x, y) == want
    g = lambda f: mj.grad(lambda x, y: f(x, y)[0] + 3.0 * f(x, y)[1])
    assert g(branchy)(x, y) == g(branchy_py)(x, y)
    close(mj.jit(g(branchy))(x, y), g(branchy_py)(x, y))
    close(mj.jvp(lambda x: branchy(x, y), (x,), (1.0,)), mj.jvp(lambda x: branchy_py(x, y), (x,), (1.0,)))
    close(mj.hessian(lambda x: branchy(x, y)[1])(x), mj.hessian(lambda x: branchy_py(x, y)[1])(x))

def test_cond_batched_predicate_selects_per_element():
    xs, ys = [p[0] for p in POINTS], [p[1] for p in POINTS]
    want = [branchy_py(x, y) for x, y in POINTS]
    want = ([a for a, _ in want], [b for _, b in want])
    for f in (mj.vmap(branchy), mj.jit(mj.vmap(branchy)), mj.vmap(mj.jit(branchy))):
        assert f(xs, ys) == want
    per_example = mj.vmap(mj.grad(lambda x, y: branchy(x, y)[0]))(xs, ys)
    close(per_example, [[mj.grad(lambda x, y: branchy_py(x, y)[0])(x, y)[k] for x, y in POINTS] for k in (0, 1)])

def test_switch_clamps_like_jax_and_jit_cache_follows_the_index():
    f = mj.jit(lambda i, x: switch(i, [lambda x: x + 1.0, lambda x: x * 10.0, mj.cos], x))
    for i, want in [(-3.0, 3.0), (0.0, 3.0), (1.0, 20.0), (2.0, math.cos(2.0)), (9.0, math.cos(2.0)), (1.0, 20.0)]:
        assert f(i, 2.0) == want

def test_cond_errors_are_clear_and_leave_no_state():
    with pytest.raises(TypeError, match='same structure'):
        cond(True, lambda x: x, lambda x: (x, x), 1.0)
    with pytest.raises(TypeError, match='predicate'):
        cond([1.0], lambda: 1.0, lambda: 2.0)
    with pytest.raises(ZeroDivisionError):
        cond(True, lambda x: 1 // 0, lambda x: x, 1.0)
    assert trace_stack() == ()
    with pytest.raises(TypeError, match='callable'):
        cond(True, 3.0, lambda x: x, 1.0)


# ---- scan against PyTorch
def rnn_step(w, u):
    return lambda c, x: (mj.tanh(w * c + u * x), c * x)

def rnn_torch(w, u, c, xs):
    ys = []
    for x in xs:
        ys.append(c * x); c = torch.tanh(w * c + u * x)
    return c + sum(ys)

@pytest.mark.parametrize('n', [0, 1, 5, 23])
def test_scan_gradients_match_torch(n):
    rng = random.Random(n)
    w, u, c0 = rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)
    xs = [rng.uniform(-2, 2) for _ in range(n)]
    def loss(w, u, c, xs):
        c, ys = scan(rnn_step(w, u), c, xs)
        return c + sum(ys)
    t = [torch.tensor(v, requires_grad=True) for v in (w, u, c0)]
    tx = torch.tensor(xs, requires_grad=True) if n else None
    out = rnn_torch(*t, tx if n else [])
    grads = torch.autograd.grad(out, t + ([tx] if n else []), allow_unused=True)
    want = [float(g) if g is not None else 0.0 for g in grads[:3]] + [grads[3].tolist() if n else []]
    close(loss(w, u, c0, xs), out.item())
    for g in (mj.grad(loss), mj.jit(mj.grad(loss)), mj.grad(mj.jit(loss))):
        close(g(w, u, c0, xs), want)

@pytest.mark.parametrize('reverse', [False, True])
def test_unroll_gives_the_same_floats(reverse):
    step = lambda c, x: (c * x + mj.sin(c), c * x)
    xs = [1.0, 2.0, 0.5, -1.5, 0.3, 0.7, -0.2]
    f = lambda u: mj.jit(lambda c, xs: scan(step, c, xs, reverse=reverse, unroll=u))
    g = lambda u: mj.jit(mj.grad(lambda c, xs: sum(scan(step, c, xs, reverse=reverse, unroll=u)[1])))
    want, dwant = f(1)(0.5, xs), g(1)(0.5, xs)
    for u in (2, 3, 7, 10):
        for _ in range(2):          # evaluated, then compiled
            assert f(u)(0.5, xs) == want and g(u)(0.5, xs) == dwant
    with pytest.raises(TypeError, match='unroll'):
        scan(step, 0.5, xs, unroll=0)

def test_scan_reverse_and_pytree_xs():
    xs = {'a': [1.0, 2.0, 3.0], 'b': [0.5, -1.0, 2.0]}
    f = lambda c, x: (c * x['a'] + x['b'], {'s': c})
    c, ys = scan(f, 1.0, xs, reverse=True)
    cp, ysp = 1.0, [None] * 3
    for t in (2, 1, 0):
        ysp[t] = cp; cp = cp * xs['a'][t] + xs['b'][t]
    assert (c, ys) == (cp, {'s': ysp})
    assert mj.jit(lambda c, xs: scan(f, c, xs, reverse=True))(1.0, xs) == (cp, {'s': ysp})

def test_scan_second_derivative_matches_torch():
    xs = [0.3, -1.2, 2.0, 0.7]
    def loss(w): return scan(rnn_step(w, 0.8), 0.1, xs)[0]
    tw = torch.tensor(0.6, requires_grad=True)
    c = torch.tensor(0.1)
    for x in xs: c = torch.tanh(tw * c + 0.8 * x)
    g, = torch.autograd.grad(c, tw, create_graph=True)
    h, = torch.autograd.grad(g, tw)
    close(mj.grad(mj.grad(loss))(0.6), float(h), rel=1e-10)
    close(mj.jit(mj.hessian(loss))(0.6), float(h), rel=1e-10)


# ---- fori_loop and while_loop
def test_fori_loop_program_does_not_grow_and_gradient_matches_torch():
    body = lambda i, c: c * mj.sin(c) + 0.1 * i
    size = lambda n: len(mj.make_jaxpr(lambda x: fori_loop(0, n, body, x))(1.0).eqns)
    assert size(10) == size(10_000) == 2
    tx = torch.tensor(1.3, requires_grad=True)
    c = tx
    for i in range(7): c = c * torch.sin(c) + 0.1 * i
    want, = torch.autograd.grad(c, tx)
    f = lambda x: fori_loop(0, 7, body, x)
    close(f(1.3), c.item())
    for g in (mj.grad(f), mj.jit(mj.grad(f))):
        close(g(1.3), float(want))

def newton(a):
    step = lambda c: (0.5 * (c[0] + a / c[0]), c[0])
    return while_loop(lambda c: abs(c[0] - c[1]) > 1e-13 * c[0], step, (a, 0.0))[0]

@pytest.mark.parametrize('a', [0.01, 2.0, 1e8])
def test_while_loop_forward_mode_and_jax_error_in_reverse(a):
    close(newton(a), math.sqrt(a), rel=1e-12)
    assert mj.jit(newton)(a) == newton(a)
    close(mj.jvp(newton, (a,), (1.0,))[1], 0.5 / math.sqrt(a), rel=1e-8)
    with pytest.raises(ValueError, match='Reverse-mode differentiation does not work'):
        mj.grad(newton)(a)
    assert trace_stack() == ()

def test_batched_while_runs_until_every_element_is_done():
    a = [0.01, 2.0, 1e8, 49.0]
    assert mj.vmap(newton)(a) == [newton(v) for v in a]
    counts = mj.vmap(lambda n: while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1.0, c[1] * 2.0), (0.0, 1.0)))
    assert counts([0.0, 3.0, 5.0]) == ([0.0, 3.0, 5.0], [1.0, 8.0, 32.0])

def test_fori_loop_with_traced_bounds_is_a_while_loop():
    f = lambda n, x: fori_loop(0, n, lambda i, x: x + i * x, x)
    assert mj.jit(f)(5.0, 1.0) == f(5, 1.0) == 120.0
    assert mj.make_jaxpr(f)(5.0, 1.0).eqns[0][1].name == 'while'


# ---- nested
def test_nested_loops_and_branches_match_finite_differences():
    def f(a):
        def body(c, x):
            # both branches run under vmap, as in JAX: each must be safe on every element
            return cond(x > 0, lambda c: c + newton(a * x * x + 1.0), lambda c: c * a, c), None
        return scan(body, 1.0, [1.0, -1.0, 2.0])[0]
    for a in (0.5, 3.0):
        fd = (f(a + 1e-6) - f(a - 1e-6)) / 2e-6
        close(mj.jvp(f, (a,), (1.0,))[1], fd, rel=1e-7)
        close(mj.jit(lambda a: mj.jvp(f, (a,), (1.0,))[1])(a), fd, rel=1e-7)
    assert mj.vmap(f)([0.5, 3.0]) == [f(0.5), f(3.0)]


def test_derivative_of_an_unknown_choice_is_a_choice_of_derivatives_as_in_jax():
    # JAX: vmap(grad) of this cond is [0.25, 0.0]; a where of both branches would give nan
    root = lambda x: cond(x > 0, lambda x: mj.sqrt(x), lambda x: 0.0 * x, x)
    for f in (mj.vmap(mj.grad(root)), mj.jit(mj.vmap(mj.grad(root))), mj.vmap(mj.jit(mj.grad(root)))):
        assert f([4.0, -1.0, 9.0]) == [0.25, 0.0, 1 / 6]
    assert [p.name for _, p, _ in mj.make_jaxpr(mj.grad(root))(4.0).eqns] == ['gt', 'cond', 'proj0']
    assert mj.jit(lambda x: mj.jvp(root, (x,), (1.0,)))(4.0) == (2.0, 0.25)
    close(mj.jit(mj.hessian(root))(4.0), -0.25 * 4.0 ** -1.5)
