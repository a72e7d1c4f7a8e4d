"Every operation and some composites, with first to third derivatives, against PyTorch in float64."
import math
import pytest
from helpers import check_against_torch

UNARY = {   # name: (function of (ops, x), points)
    'add_const':  (lambda o, x: x + 1.5, [-2.3, 0.7]),
    'radd_const': (lambda o, x: 1.5 + x, [-2.3, 0.7]),
    'sub_const':  (lambda o, x: x - 1.5, [-2.3, 0.7]),
    'rsub_const': (lambda o, x: 1.5 - x, [-2.3, 0.7]),
    'mul_const':  (lambda o, x: x * 2.5, [-2.3, 0.7]),
    'rmul_const': (lambda o, x: 2.5 * x, [-2.3, 0.7]),
    'div_const':  (lambda o, x: x / 2.5, [-2.3, 0.7]),
    'rdiv_const': (lambda o, x: 2.5 / x, [-2.3, 0.7]),
    'neg':        (lambda o, x: -x, [-2.3, 0.7]),
    'pow_int':    (lambda o, x: x ** 3, [-2.3, 0.7]),
    'pow_2':      (lambda o, x: x ** 2, [-2.3, 0.0, 0.7]),
    'pow_frac':   (lambda o, x: x ** 2.5, [0.3, 1.7]),
    'pow_neg':    (lambda o, x: x ** -1.5, [0.3, 1.7]),
    'rpow':       (lambda o, x: 2.0 ** x, [-2.3, 0.7]),
    'self_pow':   (lambda o, x: x ** x, [0.3, 1.7]),
    'relu':       (lambda o, x: o.relu(x), [-2.3, 0.7]),
    'relu_sq':    (lambda o, x: o.relu(x * x - 1.0), [-2.3, 0.7]),
    'log':        (lambda o, x: o.log(x), [0.3, 1.7]),
    'exp':        (lambda o, x: o.exp(x), [-2.3, 0.7]),
    'sin':        (lambda o, x: o.sin(x), [-2.3, 0.7]),
    'cos':        (lambda o, x: o.cos(x), [-2.3, 0.7]),
    'tanh':       (lambda o, x: o.tanh(x), [-2.3, 0.7]),
    'sigmoid':    (lambda o, x: o.sigmoid(x), [-2.3, 0.0, 0.7, 30.0, -30.0]),
    'sqrt':       (lambda o, x: o.sqrt(x), [0.3, 1.7]),
    'abs':        (lambda o, x: o.abs(x), [-2.3, 0.7]),
    'exp_sin':    (lambda o, x: o.exp(o.sin(x)) * o.cos(x * x), [-1.1, 0.7]),
    'softplus':   (lambda o, x: o.log(1 + o.exp(x)), [-2.3, 0.7]),
    'tanh_sqrt':  (lambda o, x: o.tanh(o.sqrt(x * x + 1.0)) / (1 + o.abs(x)), [-2.3, 0.7]),
    'rational':   (lambda o, x: (x + 1) / (x * x + 1), [-2.3, 0.7]),
    'poly':       (lambda o, x: 5 * x**5 + 3 * x**3 + 1, [-1.1, 0.0, 1.0]),
    'log_poly':   (lambda o, x: o.log(1 + x * x) * x, [-2.3, 0.7]),
    'mod_const':  (lambda o, x: x % 1.5, [-2.3, 0.7]),
    'round':      (lambda o, x: o.round(3 * x) * x, [-2.3, 0.7]),
}

def g_fn(o, a, b):   # micrograd's README example
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + o.relu(b + a)
    d = d + 3 * d + o.relu(b - a)
    e = c - d
    f = e**2
    g = f / 2.0
    return g + 10.0 / f

BINARY = {
    'add':   (lambda o, x, y: x + y, [(1.3, -0.4)]),
    'sub':   (lambda o, x, y: x - y, [(1.3, -0.4)]),
    'mul':   (lambda o, x, y: x * y, [(1.3, -0.4)]),
    'div':   (lambda o, x, y: x / y, [(1.3, -0.4)]),
    'pow':   (lambda o, x, y: x ** y, [(2.0, 3.0), (0.7, -1.3)]),
    'mixed': (lambda o, x, y: o.relu(x * y) + o.log(x) / (y * y + 1), [(1.3, -0.4), (1.3, 0.6)]),
    'g_fn':  (g_fn, [(-4.0, 2.0), (1.5, -0.5)]),
    'trig':  (lambda o, x, y: o.sin(x * y) + o.cos(x - y) * o.sigmoid(y), [(0.4, 1.3)]),
    'norm':  (lambda o, x, y: o.sqrt(x * x + y * y) + o.exp(-x * y), [(0.4, -1.3)]),
}

# Kinks and edges: the same answer as PyTorch (see the conventions table in the primitives chapter).
EDGES = {
    'relu_at_0':     (lambda o, x: o.relu(x), 0.0),
    'abs_at_0':      (lambda o, x: o.abs(x), 0.0),
    'sqrt_at_0':     (lambda o, x: o.sqrt(x), 0.0),
    'pow0_at_0':     (lambda o, x: x ** 0.0, 0.0),
    'pow_dy_at_0':   (lambda o, y: 0.0 ** y, 2.0),                  # base 0, traced exponent
    'pow_dy_neg':    (lambda o, y: (-2.0) ** y, 2.0),               # negative base: nan
    'sigmoid_1000':  (lambda o, x: o.sigmoid(x), 1000.0),
    'sigmoid_-1000': (lambda o, x: o.sigmoid(x), -1000.0),
}

# The IEEE policy: where Python's math raises (or returns a complex number), values and derivatives of every order are
# PyTorch's inf and nan (issue: silent wrong answers, items 5 to 7, and the one policy for domain and range errors).
IEEE = {
    'sqrt_at_0':        (lambda o, x: o.sqrt(x), 0.0),              # sqrt''(0) = -inf, not 0
    'sqrt_below_0':     (lambda o, x: o.sqrt(x), -1.0),
    'sqrt_at_nan':      (lambda o, x: o.sqrt(x), math.nan),         # sqrt'(nan) = nan, not inf
    'half_pow_at_0':    (lambda o, x: x ** 0.5, 0.0),               # was ZeroDivisionError
    'half_pow_below_0': (lambda o, x: x ** 0.5, -4.0),              # was a complex number
    'half_pow_sq_at_0': (lambda o, x: (x * x) ** 0.5, 0.0),         # was ZeroDivisionError
    'pow_dy_neg':       (lambda o, y: (-2.0) ** y, 2.0),            # d2/dy2 nan, not 0
    'pow_overflow':     (lambda o, x: x ** 1e6, 10.0),
    'log_at_0':         (lambda o, x: o.log(x), 0.0),
    'log_below_0':      (lambda o, x: o.log(x), -1.0),
    'exp_overflow':     (lambda o, x: o.exp(x), 800.0),
    'recip_at_0':       (lambda o, x: 1.0 / x, 0.0),
    'div_0_by_0':       (lambda o, x: x / x, 0.0),
    'sin_at_inf':       (lambda o, x: o.sin(x), math.inf),
    'mod_by_0':         (lambda o, x: x % 0.0, 1.0),
}

@pytest.mark.parametrize('name', sorted(UNARY))
def test_unary(name):
    f, points = UNARY[name]
    for x in points: check_against_torch(f, (x,), order=3)

@pytest.mark.parametrize('name', sorted(BINARY))
def test_binary(name):
    f, points = BINARY[name]
    for xs in points: check_against_torch(f, xs, order=3, rtol=1e-8)

@pytest.mark.parametrize('name', sorted(IEEE))
def test_ieee_edges_all_orders(name):
    from helpers import check_edges_against_torch
    f, x = IEEE[name]
    check_edges_against_torch(f, (x,), order=2)

@pytest.mark.parametrize('name', sorted(EDGES))
def test_edges_first_derivative(name):
    from helpers import torch_derivatives, mj_derivative
    f, x = EDGES[name]
    expected, actual = torch_derivatives(f, (x,), 1)[(0,)], mj_derivative(f, (0,))(x)
    assert (math.isnan(expected) and math.isnan(actual)) or expected == pytest.approx(actual, rel=1e-12), (expected, actual)
