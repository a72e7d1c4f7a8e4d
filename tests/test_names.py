"""JAX's names that microjax adds for JAX users: every function in every mode (eager, grad, grad of grad, jvp, jit,
vmap and their compositions) against PyTorch in float64, closed forms where PyTorch has no such function; the tree
utilities, `static_argnames`, keyword arguments under `vmap`, `has_aux`, the docstrings and `__version__`."""
import configparser, functools, math, pathlib
import pytest
import torch
import torch.nn.functional as F
import microjax as mj
from helpers import assert_close, same

torch.set_default_dtype(torch.float64)

UNARY = {   # name: (microjax function, PyTorch function, points away from kinks)
    'log1p':    (mj.log1p, torch.log1p, [-0.7, 1e-9, 0.4, 3.0]),
    'expm1':    (mj.expm1, torch.expm1, [-2.0, 1e-9, 0.6]),
    'tan':      (mj.tan, torch.tan, [-1.2, 0.3, 1.0]),
    'arctan':   (mj.arctan, torch.atan, [-3.0, 0.2, 5.0]),
    'erf':      (mj.erf, torch.erf, [-1.5, 0.1, 0.8]),
    'sign':     (mj.sign, torch.sign, [-2.0, 0.5]),
    'clip':     (lambda x: mj.clip(x, -0.5, 0.8), lambda x: torch.clamp(x, -0.5, 0.8), [-1.0, 0.3, 2.0]),
    'softplus': (mj.softplus, F.softplus, [-30.0, -1.3, 0.0, 2.0, 30.0]),
    'log_sigmoid': (mj.nn.log_sigmoid, F.logsigmoid, [-40.0, -1.3, 0.0, 2.0, 40.0]),
    'silu':     (mj.silu, F.silu, [-3.0, 0.0, 0.7]),
    'gelu':     (mj.gelu, lambda x: F.gelu(x, approximate='tanh'), [-2.0, 0.0, 0.9]),
    'gelu_erf': (lambda x: mj.gelu(x, approximate=False), F.gelu, [-2.0, 0.0, 0.9]),
}
BINARY = {
    'arctan2': (mj.arctan2, torch.atan2, [(0.3, -1.2), (-2.0, 0.5), (1.0, 1.0)]),
    'maximum': (mj.maximum, torch.maximum, [(0.3, -1.2), (-2.0, 0.5)]),
    'minimum': (mj.minimum, torch.minimum, [(0.3, -1.2), (-2.0, 0.5)]),
}

def torch_d(f, xs, idx):
    "The derivative of PyTorch's `f` at `xs` with respect to the arguments `idx`, in order (`()`: the value)."
    X = [torch.tensor(float(x), requires_grad=True) for x in xs]
    v = f(*X)
    for i in idx:
        g = torch.autograd.grad(v, X[i], create_graph=True, allow_unused=True)[0] if v.requires_grad else None
        v = torch.zeros(()) if g is None else g
    return float(v.detach())

def nth(g, i): return lambda *xs: (lambda r: r[i] if isinstance(r, (list, tuple)) else r)(g(*xs))

def modes(f, n):
    "Each way of asking for f, df/dx_0 and d2f/dx_0^2 of an `n`-argument `f`, by name and derivative order."
    d = lambda h: nth(mj.grad(h, argnums=tuple(range(n)) if n > 1 else 0), 0)
    yield 'eager', (), f
    yield 'jit', (), mj.jit(f)
    yield 'grad', (0,), d(f)
    yield 'jit(grad)', (0,), mj.jit(d(f))
    yield 'grad(jit)', (0,), d(mj.jit(f))
    yield 'grad(grad)', (0, 0), d(d(f))
    yield 'jit(grad(grad))', (0, 0), mj.jit(d(d(f)))
    yield 'jvp', (0,), lambda *xs: mj.jvp(f, xs, (1.0,) + (0.0,) * (n - 1))[1]
    yield 'jit(jvp)', (0,), mj.jit(lambda *xs: mj.jvp(f, xs, (1.0,) + (0.0,) * (n - 1))[1])

CASES = [(name, mf, tf, xs) for name, (mf, tf, pts) in UNARY.items() for x in pts for xs in [(x,)]]
CASES += [(name, mf, tf, xs) for name, (mf, tf, pts) in BINARY.items() for xs in pts]

@pytest.mark.parametrize('name,mf,tf,xs', CASES, ids=[f'{c[0]}{c[3]}' for c in CASES])
def test_every_mode_against_torch(name, mf, tf, xs):
    for mode, idx, g in modes(mf, len(xs)):
        assert_close(g(*xs), torch_d(tf, xs, idx), rtol=1e-9, atol=1e-12, what=f'{name} {mode} at {xs}')

@pytest.mark.parametrize('name', list(UNARY) + list(BINARY))
def test_vmap_matches_eager(name):
    "vmap of the function and of its derivative give, point by point, what the eager calls give."
    mf, _, pts = (UNARY | BINARY)[name]
    cols = [list(c) for c in zip(*[(p if isinstance(p, tuple) else (p,)) for p in pts])]
    dmf = nth(mj.grad(mf, argnums=tuple(range(len(cols))) if len(cols) > 1 else 0), 0)
    for f in (mf, dmf):
        for batched in (mj.vmap(f), mj.jit(mj.vmap(f)), mj.vmap(mj.jit(f))):
            assert all(same(b, f(*p)) for b, p in zip(batched(*cols), zip(*cols))), name

def test_maximum_minimum_at_ties_and_nan():
    "JAX's rules: a tie gives each side half the derivative; a nan operand gives nan and zero partials."
    for f in (mj.maximum, mj.minimum):
        assert mj.grad(f, argnums=(0, 1))(1.5, 1.5) == (0.5, 0.5)
        assert mj.jit(mj.grad(f, argnums=(0, 1)))(1.5, 1.5) == (0.5, 0.5)
        assert math.isnan(f(float('nan'), 1.0)) and math.isnan(f(1.0, float('nan')))
        assert mj.grad(f, argnums=(0, 1))(float("nan"), 1.0) == (0.0, 0.0)
    assert mj.grad(lambda x: mj.clip(x, 0.0, 1.0))(1.0) == 0.5             # a tie with a constant bound

def test_closed_forms_at_edges():
    assert mj.log1p(1e-300) == 1e-300 and mj.expm1(1e-300) == 1e-300       # no cancellation near 0
    assert mj.softplus(1000.0) == 1000.0 and mj.softplus(-1000.0) == 0.0     # no overflow
    assert mj.grad(mj.softplus)(1000.0) == 1.0
    assert_close(mj.nn.log_sigmoid(-1000.0), -1000.0)
    assert mj.sign(-0.0) == 0.0 and math.copysign(1.0, mj.sign(-0.0)) == -1.0 and math.isnan(mj.sign(math.nan))
    assert mj.grad(mj.sign)(0.0) == 0.0 and mj.jit(mj.grad(mj.sign))(3.0) == 0.0
    assert_close(mj.pi, math.pi) and mj.arctan2(0.0, -1.0) == math.pi
    assert mj.clip(5.0, max=1.0) == 1.0 and mj.clip(-5.0, min=0.0) == 0.0 and mj.clip(0.5) == 0.5

VECTORS = {   # name: (microjax, PyTorch on a 1-d tensor)
    'softmax':     (mj.softmax, lambda t: torch.softmax(t, 0)),
    'log_softmax': (mj.log_softmax, lambda t: torch.log_softmax(t, 0)),
    'logsumexp':   (mj.logsumexp, lambda t: torch.logsumexp(t, 0)),
}

@pytest.mark.parametrize('name', VECTORS)
@pytest.mark.parametrize('xs', [[0.3, -1.2, 2.0], [1000.0, 999.0, -5.0], [-800.0, -801.0]])
def test_vector_functions_against_torch(name, xs):
    mf, tf = VECTORS[name]
    ref = tf(torch.tensor(xs))
    out = mf(xs)
    for a, e in zip(out if isinstance(out, list) else [out], ref.reshape(-1).tolist()): assert_close(a, e)
    g = lambda *xs: mf(list(xs))
    jac = torch.autograd.functional.jacobian(tf, torch.tensor(xs)).reshape(-1, len(xs)).tolist()
    for f in (mj.jacrev(g, argnums=tuple(range(len(xs)))), mj.jit(mj.jacfwd(g, argnums=tuple(range(len(xs)))))):
        J = f(*xs)
        J = [J] if not isinstance(out, list) else J
        for row, erow in zip(J, jac):
            for a, e in zip(row, erow): assert_close(a, e, what=f'{name} jacobian at {xs}')

def test_logsumexp_stable_and_infinite():
    assert_close(mj.logsumexp([1000.0, 1000.0]), 1000.0 + math.log(2.0))
    assert mj.grad(lambda a, b: mj.logsumexp([a, b]), argnums=(0, 1))(1000.0, 1000.0) == (0.5, 0.5)
    assert mj.logsumexp([-math.inf, -math.inf]) == -math.inf                  # JAX: -inf, no nan
    assert mj.logsumexp([math.inf, 1.0]) == math.inf

def test_softmax_of_infinite_scores_as_jax():
    "JAX 0.10.2: a +inf score makes softmax and log_softmax all nan; a -inf score has probability 0 (log: -inf)."
    inf = math.inf
    for f in (mj.softmax, mj.log_softmax):
        g = lambda a, b: f([a, b])
        for h in (g, mj.jit(g)):
            assert all(map(math.isnan, h(inf, 1.0))), f
        (first, second) = mj.vmap(g)([inf, -inf], [1.0, 1.0])     # a list per component, a batch in each
        assert math.isnan(first[0]) and first[1] in (0.0, -inf) and second[1] in (1.0, 0.0), f
    for h in (lambda a, b: mj.softmax([a, b]), mj.jit(lambda a, b: mj.softmax([a, b]))):
        assert h(-inf, 1.0) == [0.0, 1.0]
    assert mj.log_softmax([-inf, 1.0]) == [-inf, 0.0]
    assert mj.grad(lambda a, b: mj.log_softmax([a, b])[1], argnums=(0, 1))(-inf, 1.0) == (0.0, 0.0)

def test_one_hot():
    assert mj.one_hot(2, 4) == [0.0, 0.0, 1.0, 0.0]
    assert mj.one_hot(5, 3) == [0.0, 0.0, 0.0]                                # out of range: all zeros, as in JAX
    assert mj.vmap(lambda i: mj.one_hot(i, 3), in_axes=0)([0, 1]) == [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]

def test_tree_utilities():
    t = {'a': 1.0, 'b': [2.0, (3.0, 4.0)]}
    assert mj.tree.leaves(t) == [1.0, 2.0, 3.0, 4.0]
    assert mj.tree.leaves(t, is_leaf=lambda n: isinstance(n, tuple)) == [1.0, 2.0, (3.0, 4.0)]
    assert mj.tree.map(lambda x, y: x + y, t, t) == {'a': 2.0, 'b': [4.0, (6.0, 8.0)]}
    assert mj.tree.map(lambda n: len(n) if isinstance(n, tuple) else n, t, is_leaf=lambda n: isinstance(n, tuple)) \
        == {'a': 1.0, 'b': [2.0, 2]}
    # A prefix tree: each leaf of the first is paired with a whole subtree of the second.
    assert mj.tree.map(lambda s, sub: mj.tree.map(lambda x: s * x, sub), {'a': 10.0, 'b': 2.0}, t) == \
        {'a': 10.0, 'b': [4.0, (6.0, 8.0)]}
    assert mj.tree.reduce(lambda a, b: a + b, t) == 10.0 and mj.tree.reduce(max, [], -1.0) == -1.0
    leaves, treedef = mj.tree.flatten(t)
    assert mj.tree.unflatten(treedef, [x * 2 for x in leaves]) == mj.tree.map(lambda x: 2 * x, t)
    assert mj.tree.structure(t) == treedef and mj.tree_util.tree_structure(t) == treedef
    with pytest.raises(Exception):
        mj.tree.map(lambda x, y: x + y, {'a': 1.0}, {'b': 1.0})               # not a prefix: an error

def test_register_pytree_node_class():
    @mj.tree_util.register_pytree_node_class
    class Point:
        def __init__(self, x, y): self.x, self.y = x, y
        def tree_flatten(self): return (self.x, self.y), None
        @classmethod
        def tree_unflatten(cls, aux, children): return cls(*children)
    norm2 = lambda p: p.x * p.x + p.y * p.y
    g = mj.grad(norm2)(Point(3.0, 4.0))
    assert isinstance(g, Point) and (g.x, g.y) == (6.0, 8.0)
    g = mj.jit(mj.grad(norm2))(Point(3.0, 4.0))
    assert (g.x, g.y) == (6.0, 8.0)

def test_static_argnames():
    traces = []
    @functools.partial(mj.jit, static_argnames='n')
    def f(x, n):
        traces.append(n)
        for _ in range(n): x = mj.sin(x)
        return x
    s = math.sin
    assert_close(f(1.0, n=2), s(s(1.0)))
    assert_close(f(1.0, n=3), s(s(s(1.0))))
    assert_close(f(1.0, 3), s(s(s(1.0))))                                     # given by position: static too
    assert_close(f(0.5, n=3), s(s(s(0.5))))
    assert traces.count(2) == 1 and 0 < traces.count(3) <= 2                   # one program per static value
    with pytest.raises(Exception, match='hashable|hash'):
        f(1.0, n=[3])
    with pytest.raises(ValueError, match=r"\['m'\] are not parameters of `<lambda>`, which takes \['x', 'n'\]"):
        mj.jit(lambda x, n: x, static_argnames='m')                         # JAX too refuses it when jit is called

def test_vmap_passes_keywords_through():
    assert mj.vmap(lambda x, scale: x * scale)([1.0, 2.0], scale=3.0) == [3.0, 6.0]
    assert mj.vmap(mj.gelu)([0.5, -0.5], approximate=False) == [mj.gelu(0.5, approximate=False),
                                                                 mj.gelu(-0.5, approximate=False)]

def test_has_aux_for_jacobians():
    f = lambda x, y: (x * x * y, {'x': x})
    for jac in (mj.jacfwd, mj.jacrev):
        J, aux = jac(f, argnums=(0, 1), has_aux=True)(3.0, 2.0)
        assert J == (12.0, 9.0) and aux == {'x': 3.0}
    H, aux = mj.jacfwd(mj.jacrev(f, has_aux=True), has_aux=True)(3.0, 2.0)
    assert H == 4.0 and aux == {'x': 3.0}

NEW = ['log1p', 'expm1', 'tan', 'arctan', 'arctan2', 'erf', 'sign', 'maximum', 'minimum', 'clip', 'softplus',
       'log_sigmoid', 'silu', 'gelu', 'softmax', 'log_softmax', 'logsumexp', 'one_hot']

@pytest.mark.parametrize('name', NEW)
def test_documented_at_the_top_and_in_nn(name):
    f = getattr(mj, name)
    assert f.__doc__ and len(f.__doc__.split()) >= 4, f'{name} has no docstring'
    assert name in mj.__all__
    if name in ('softplus', 'log_sigmoid', 'silu', 'gelu', 'softmax', 'log_softmax', 'logsumexp', 'one_hot',
                'relu', 'sigmoid'):
        assert getattr(mj.nn, name) is f                                       # jax.nn's names under nn too

def test_version_is_the_settings_version():
    cfg = configparser.ConfigParser()
    cfg.read(pathlib.Path(__file__).parents[1] / 'settings.ini')
    assert mj.__version__ == cfg['DEFAULT']['version']

def test_short_jaxprs_print_on_one_line_as_jax_does():
    # JAX 0.10.2 prints `{ lambda ; a:f32[]. let b:f32[] = sin a; c:f32[] = mul b 2.0:f32[] in (c,) }` (float32).
    assert str(mj.make_jaxpr(lambda x: mj.sin(x) * 2)(1.0)) == \
        '{ lambda ; a:f64[]. let b:f64[] = sin a; c:f64[] = mul b 2.0:f64[] in (c,) }'
    long = str(mj.make_jaxpr(lambda x, y: mj.maximum(x, y) + mj.arctan2(x, y))(1.0, 2.0))
    assert long.count('\n') == 4 and all(len(l) <= 80 for l in long.splitlines())

def test_help_shows_the_package_and_the_argnums_default():
    import inspect, pydoc, typing
    assert mj.__doc__ and 'JAX' in mj.__doc__                              # not None: the docstring comes first
    assert mj.__doc__.split()[0] in pydoc.render_doc(mj, renderer=pydoc.plaintext)
    for f in (mj.grad, mj.value_and_grad):
        assert "JAX's default is 0" in f.__doc__ and 'argnums=0' in f.__doc__
    for f in (mj.grad, mj.value_and_grad, mj.vjp, mj.jvp, mj.jacfwd, mj.jacrev, mj.hessian, mj.jit, mj.vmap):
        assert inspect.signature(f).parameters['fun'].annotation in (typing.Callable, 'Callable'), f.__name__

def test_python_dash_m_microjax_is_a_smoke_check():
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'microjax'], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f'microjax {mj.__version__}') and 'all agree' in run.stdout
