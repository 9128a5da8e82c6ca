"""descent's optimizers driving PyTorch models: the same loop stepped by torch.optim and by
descent.optim ends at the same weights."""
import copy

import numpy
import pytest
import torch

import descent


def model_and_data(seed=0):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    x = torch.randn(64, 8)
    y = torch.randint(0, 3, (64,))
    return model, x, y


def train(model, opt, x, y, steps=50):
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return [p.detach().clone() for p in model.parameters()]


def max_difference(a, b):
    return max((p - q).abs().max().item() for p, q in zip(a, b))


@pytest.mark.parametrize("ours, theirs, kwargs", [
    ("Adam", torch.optim.Adam, {"lr": 1e-2, "betas": (0.9, 0.99), "weight_decay": 1e-3}),
    ("AdamW", torch.optim.AdamW, {"lr": 1e-2, "weight_decay": 0.1}),
    ("SGD", torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("RMSprop", torch.optim.RMSprop, {"lr": 1e-3, "momentum": 0.5, "centered": True}),
    ("Adagrad", torch.optim.Adagrad, {"lr": 0.05}),
    ("NAdam", torch.optim.NAdam, {"lr": 1e-2}),
])
def test_descent_optimizer_steps_a_torch_model_as_torch_optim_does(ours, theirs, kwargs):
    model, x, y = model_and_data()
    twin = copy.deepcopy(model)
    expected = train(model, theirs(model.parameters(), **kwargs), x, y)
    got = train(twin, getattr(descent.optim, ours)(twin.parameters(), **kwargs), x, y)
    assert max_difference(expected, got) < 1e-6
    # The weights moved: the comparison is not between two untouched models.
    assert max_difference(got, [p.detach() for p in model_and_data()[0].parameters()]) > 1e-3


def test_adam_from_numpy_gradients_matches_torch_adam():
    model, x, y = model_and_data(1)
    twin = copy.deepcopy(model)
    expected = train(model, torch.optim.Adam(model.parameters(), lr=1e-2), x, y)
    # The loop passes the gradients itself, as arrays.
    params = [p.detach().numpy() for p in twin.parameters()]
    opt = descent.optim.Adam(params, lr=1e-2)
    for _ in range(50):
        twin.zero_grad()
        torch.nn.functional.cross_entropy(twin(x), y).backward()
        opt.step(grads=[p.grad.numpy() for p in twin.parameters()])
    assert max_difference(expected, [p.detach() for p in twin.parameters()]) < 1e-6


def test_lbfgs_with_a_closure_matches_torch_lbfgs():
    model, x, y = model_and_data(2)
    twin = copy.deepcopy(model)

    def run(m, opt):
        def closure():
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(m(x), y)
            loss.backward()
            return loss
        losses = [float(opt.step(closure)) for _ in range(3)]
        return losses, [p.detach().clone() for p in m.parameters()]

    # Few inner iterations: near a loss of 0, float rounding alone would part the two runs.
    expected_losses, expected = run(model, torch.optim.LBFGS(model.parameters(), lr=0.5,
                                                             max_iter=4))
    losses, got = run(twin, descent.optim.LBFGS(twin.parameters(), lr=0.5, max_iter=4))
    numpy.testing.assert_allclose(losses, expected_losses, rtol=1e-5)
    assert max_difference(expected, got) < 1e-5


def test_per_group_learning_rates_as_torch_param_groups():
    model, x, y = model_and_data(3)
    twin = copy.deepcopy(model)

    def groups(m):
        return [{"params": m[0].parameters(), "lr": 0.05}, {"params": m[2].parameters()}]
    expected = train(model, torch.optim.SGD(groups(model), lr=0.1, momentum=0.9), x, y)
    got = train(twin, descent.optim.SGD(groups(twin), lr=0.1, momentum=0.9), x, y)
    assert max_difference(expected, got) < 1e-6


def test_cosine_schedule_matches_torch_cosine_annealing():
    w = torch.zeros(3, requires_grad=True)
    theirs = torch.optim.SGD([w], lr=0.1)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(theirs, T_max=10, eta_min=0.001)
    expected = []
    for _ in range(15):
        expected.append(theirs.param_groups[0]["lr"])
        theirs.step()
        sched.step()
    opt = descent.optim.SGD([numpy.zeros(3, numpy.float32)], lr=0.1)
    ours = descent.optim.Scheduler(opt, "cosine", t_max=10, eta_min=0.001)
    got = []
    for _ in range(15):
        got.append(opt.param_groups[0]["lr"])
        opt.step()
        ours.step()
    numpy.testing.assert_allclose(got, expected, rtol=1e-12)
    assert ours.get_last_lr() == [opt.param_groups[0]["lr"]]
