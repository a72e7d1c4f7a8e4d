"Property tests: random expressions in two variables, differentiated by microjax and by PyTorch."
import math
from hypothesis import given, settings, strategies as st, assume, HealthCheck
from helpers import torch_derivatives, mj_derivative, assert_close, as_list, MjOps
from microjax.engine import grad
from microjax.forward import jvp

leaves = st.one_of(st.sampled_from(['x', 'y']), st.floats(-3, 3, allow_nan=False).map(lambda c: round(c, 3)))
def nodes(children):
    return st.one_of(
        st.tuples(st.sampled_from(['add', 'sub', 'mul', 'div', 'pow']), children, children),
        st.tuples(st.sampled_from(['neg', 'relu', 'log', 'sq', 'rpow', 'exp', 'sin', 'cos', 'tanh', 'sigmoid',
                                   'sqrt', 'abs']), children))
exprs = st.recursive(leaves, nodes, max_leaves=8)

def evaluate(e, o, x, y):
    "The expression `e` on `x` and `y`, with the functions of `o`; guarded so every operation stays in its domain."
    if e == 'x': return x
    if e == 'y': return y
    if not isinstance(e, tuple): return e
    op, *args = e
    a = evaluate(args[0], o, x, y)
    if len(args) == 1:
        return {'neg': lambda: -a, 'relu': lambda: o.relu(a), 'log': lambda: o.log(1 + a * a),
                'sq': lambda: a * a, 'rpow': lambda: 1.5 ** (a / (1 + a * a)),
                'exp': lambda: o.exp(a / (1 + a * a)), 'sin': lambda: o.sin(a), 'cos': lambda: o.cos(a),
                'tanh': lambda: o.tanh(a), 'sigmoid': lambda: o.sigmoid(a), 'sqrt': lambda: o.sqrt(1 + a * a),
                'abs': lambda: o.abs(a)}[op]()
    b = evaluate(args[1], o, x, y)
    if op == 'add': return a + b
    if op == 'sub': return a - b
    if op == 'mul': return a * b
    if op == 'div': return a / (1 + b * b)
    return (1 + a * a) ** (b / (1 + b * b))        # pow: positive base, bounded exponent

def second_order_reference(e, x, y):
    "`e` as a function `f(ops, x, y)`, and PyTorch's derivatives of it at `(x, y)` to second order; an example where they are not finite and moderate is skipped."
    f = lambda o, x, y: evaluate(e, o, x, y) * 1.0 + 0.0 * x
    ref = torch_derivatives(f, (x, y), order=2)
    assume(all(math.isfinite(v) and abs(v) < 1e12 for v in ref.values()))
    return f, ref

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs, st.floats(-2, 2), st.floats(-2, 2))
def test_random_expression_gradients(e, x, y):
    f, ref = second_order_reference(e, x, y)
    for idx, expected in ref.items():
        assert_close(mj_derivative(f, idx)(x, y), expected, rtol=1e-7, atol=1e-9, what=f'{e} d{idx} at {(x, y)}')

def d_rev(g, i): return lambda *xs: as_list(grad(g)(*xs))[i]
def d_fwd(g, i): return lambda *xs: jvp(g, xs, tuple(float(k == i) for k in range(len(xs))))[1]

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs, st.floats(-2, 2), st.floats(-2, 2))
def test_second_derivatives_in_all_four_orders(e, x, y):
    "rev of rev, fwd of rev, rev of fwd and fwd of fwd all give PyTorch's Hessian."
    f, ref = second_order_reference(e, x, y)
    g = lambda x, y: f(MjOps, x, y)
    for outer in (d_rev, d_fwd):
        for inner in (d_rev, d_fwd):
            for i in range(2):
                for j in range(2):
                    assert_close(outer(inner(g, i), j)(x, y), ref[(i, j)], rtol=1e-7, atol=1e-9,
                                 what=f'{outer.__name__}({inner.__name__}) d{(i, j)} of {e} at {(x, y)}')
