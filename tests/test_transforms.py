"JAX's transformations at scalar size: argnums, has_aux, pytrees, vjp, jvp, jacfwd, jacrev, hessian, stop_gradient."
import math
import pytest, torch
from torch.autograd.functional import jacobian, hessian as torch_hessian
from microjax.engine import grad, value_and_grad, vjp, stop_gradient
from microjax.forward import jvp, jacfwd, jacrev, hessian, check_grads
from microjax.primitives import sin, exp, tanh, sigmoid
from microjax.nn import MLP, svm_loss
from microjax.tree_util import tree_leaves, tree_structure

def close(a, b, rel=1e-10): return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)

def f3(x, y, z): return sin(x) * y + exp(z * y)
def f3_torch(x, y, z): return torch.sin(x) * y + torch.exp(z * y)

def torch_grads(f, *xs):
    X = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    f(*X).backward()
    return [t.grad.item() for t in X]

def test_argnums_against_torch():
    xs = (0.3, -1.2, 0.5)
    ref = torch_grads(f3_torch, *xs)
    assert all(close(a, b) for a, b in zip(grad(f3)(*xs), ref))
    assert close(grad(f3, argnums=1)(*xs), ref[1])
    g = grad(f3, argnums=(2, 0))(*xs)
    assert isinstance(g, tuple) and close(g[0], ref[2]) and close(g[1], ref[0])
    v, g = value_and_grad(f3, argnums=-1)(*xs)
    assert close(v, f3_torch(*(torch.tensor(x, dtype=torch.float64) for x in xs)).item()) and close(g, ref[2])

@pytest.mark.parametrize('argnums,error,contains', [(5, ValueError, 'argnums=5'), (-4, ValueError, 'positions 0 to 2'),
                                                    ('0', TypeError, 'argnums must be'), ((0, 1.5), TypeError, 'argnums must be'),
                                                    (True, TypeError, 'argnums must be')])
def test_bad_argnums(argnums, error, contains):
    with pytest.raises(error, match='argnums') as e: grad(f3, argnums=argnums)(1.0, 2.0, 3.0)
    assert contains in str(e.value)

def test_has_aux_returns_concrete_aux():
    def f(x, y):
        h = tanh(x * y)
        return h * h, {'h': h, 'tag': 'label'}
    g, aux = grad(f, has_aux=True)(0.4, 0.9)
    (v, aux2), g2 = value_and_grad(f, has_aux=True, argnums=0)(0.4, 0.9)
    assert type(aux['h']) is float and aux['tag'] == 'label' and close(aux['h'], math.tanh(0.36))
    assert aux2 == aux and close(v, math.tanh(0.36) ** 2) and close(g2, g[0])
    ref = torch_grads(lambda x, y: torch.tanh(x * y) ** 2, 0.4, 0.9)
    assert close(g[0], ref[0]) and close(g[1], ref[1])

def test_pytree_arguments_and_model_gradients_against_torch():
    X = [[0.5, -1.0], [1.5, 0.25], [-0.3, 0.8]]
    y = [1, -1, 1]
    model = MLP.init(2, [4, 1], seed=7)
    v, g = value_and_grad(lambda m: svm_loss(m, X, y))(model)
    assert type(g) is MLP and tree_structure(g) == tree_structure(model)       # a model-shaped gradient
    flat = value_and_grad(lambda *ps: svm_loss(MLP.from_parameters(ps, 2, [4, 1]), X, y))(*model.parameters())
    assert close(v, flat[0]) and all(close(a, b) for a, b in zip(g.parameters(), flat[1]))
    d = grad(lambda p: p['a'] * sin(p['b'][0]) + p['b'][1] ** 2)({'a': 2.0, 'b': [0.5, 3.0]})
    assert d.keys() == {'a', 'b'} and close(d['a'], math.sin(0.5)) and close(d['b'][0], 2 * math.cos(0.5)) and close(d['b'][1], 6.0)

def test_vjp_and_jvp_against_torch_jacobian():
    f = lambda x, y: [x * y, sin(x) + y ** 3, sigmoid(x - y)]
    ft = lambda x, y: torch.stack([x * y, torch.sin(x) + y ** 3, torch.sigmoid(x - y)])
    xs = (0.7, -0.4)
    J = jacobian(ft, tuple(torch.tensor(v, dtype=torch.float64) for v in xs))     # J[k][i] = d out_i / d x_k
    out, pull = vjp(f, *xs)
    ct = [1.0, -2.0, 0.5]
    for k, g in enumerate(pull(ct)):
        assert close(g, sum(c * J[k][i].item() for i, c in enumerate(ct)))
    _, t = jvp(f, xs, (1.0, 3.0))
    for i in range(3): assert close(t[i], J[0][i].item() + 3.0 * J[1][i].item())

def test_jacobians_and_hessian_against_torch():
    f = lambda x: [x[0] * exp(x[1]), tanh(x[0] - x[1] * x[2]), x[2] ** 2]
    ft = lambda x: torch.stack([x[0] * torch.exp(x[1]), torch.tanh(x[0] - x[1] * x[2]), x[2] ** 2])
    x = [0.3, -0.5, 1.2]
    J = jacobian(ft, torch.tensor(x, dtype=torch.float64)).tolist()
    for jac in (jacfwd(f)(x), jacrev(f)(x)):
        assert all(close(a, b) for ra, rb in zip(jac, J) for a, b in zip(ra, rb))
    s = lambda x: x[0] * exp(x[1]) * tanh(x[2]) + x[1] ** 3
    st = lambda x: x[0] * torch.exp(x[1]) * torch.tanh(x[2]) + x[1] ** 3
    H = torch_hessian(st, torch.tensor(x, dtype=torch.float64)).tolist()
    assert all(close(a, b) for ra, rb in zip(hessian(s)(x), H) for a, b in zip(ra, rb))

def test_stop_gradient_every_level():
    assert grad(lambda x: x * stop_gradient(x * x))(3.0) == pytest.approx(9.0)
    assert grad(grad(lambda x: stop_gradient(x ** 3) + x ** 2))(2.0) == pytest.approx(2.0)
    assert jvp(lambda x: stop_gradient(x) * x, (2.0,), (1.0,)) == (4.0, 2.0)
    assert grad(lambda x: jvp(lambda y: stop_gradient(x) * y * x, (1.0,), (1.0,))[1])(3.0) == pytest.approx(3.0)

def test_check_grads_both_modes_third_order():
    check_grads(lambda x, y: sigmoid(x * y) * sin(y) + exp(-x * x), (0.4, -0.7), order=3)
    with pytest.raises(AssertionError, match='central differences'):
        check_grads(lambda x: stop_gradient(x) * x, (1.5,))        # stop_gradient hides a real dependence
