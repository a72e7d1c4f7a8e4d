"The original microjax's four tests, with tolerances instead of `==` and torch's own relu on the torch side."
import pytest, torch
from microjax.engine import grad, relu

def approx(x): return pytest.approx(x, rel=1e-12, abs=1e-12)

def test_sanity_check():
    def f_(x, relu=relu):
        z = 2 * x + 2 + x
        q = z + z * x
        h = relu(z * z)
        y = h + q + q * x
        return y
    dfdx = grad(f_)(-4.0)
    X = torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)
    f_(X, relu=torch.relu).backward()
    assert dfdx == approx(X.grad.item())

def test_more_ops():
    def f_(a, b, relu=relu):
        c = a + b
        d = a * b + b**3
        c += c + 1
        c += 1 + c + (-a)
        d += d * 2 + relu(b + a)
        d += 3 * d + relu(b - a)
        e = c - d
        f = e**2
        g = f / 2.0
        g += 10.0 / f
        return g
    dfda, dfdb = grad(f_)(-4.0, 2.0)
    A = torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)
    B = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    f_(A, B, relu=torch.relu).backward()
    assert dfda == approx(A.grad.item())
    assert dfdb == approx(B.grad.item())

def test_trivial_cases():
    grad_f = grad(lambda x: x)
    assert grad_f(0.0) == approx(1.0)
    assert grad_f(4.0) == approx(1.0)
    grad_g = grad(lambda x: 1.0)
    assert grad_g(0.0) == approx(0.0)
    assert grad_g(-1.0) == approx(0.0)
    grad_h = grad(lambda x, y: 1.0)
    for args in [(0.0, 1.0), (-1.0, 5.0)]:
        g = grad_h(*args)
        assert isinstance(g, list) and g == [approx(0.0), approx(0.0)]

def test_higher_order_grad():
    f_ = lambda x: x**2
    for gg in [grad(grad(f_)), grad(grad(f_))]:
        assert gg(0.0) == approx(2.0)
        assert gg(-5.0) == approx(2.0)
    g3 = grad(grad(grad(lambda x: 5 * x**5 + 3 * x**3 + 1)))   # 300 x^2 + 18
    assert g3(0.0) == approx(18.0)
    assert g3(1.0) == approx(318.0)
    h3 = grad(grad(grad(lambda x: 4 * x**4 + 2 * x**2)))       # 96 x
    assert h3(0.0) == approx(0.0)
    assert h3(1.0) == approx(96.0)
