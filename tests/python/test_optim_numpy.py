"""descent.optim on numpy arrays: shared memory both ways, parameter groups as dicts, state that
resumes bit for bit, and descent's messages as Python exceptions."""
import numpy
import pytest

import descent


def quadratic_gradient(w):
    return (2.0 * w - 1.0).astype(numpy.float32)  # of sum((w - 0.5)^2)


def test_every_registry_optimizer_has_a_class_that_makes_it():
    classes = {cls.registry_name: cls for cls in vars(descent.optim).values()
               if isinstance(cls, type) and issubclass(cls, descent.optim.Optimizer)
               and cls.registry_name}
    assert set(classes) == set(descent.optim.names())
    assert len(classes) >= 44
    for name, cls in classes.items():
        if name in ("lbfgs", "sam", "lookahead", "schedule_free", "chain"):
            continue  # need a closure or a base optimizer: tested apart
        w = numpy.full(4, 2.0, numpy.float32)
        opt = cls([w])
        assert opt.name == name
        for _ in range(8):  # RAdam's rectification holds the first steps back
            opt.grads[0][:] = quadratic_gradient(w)
            opt.step()
        opt.eval()
        assert not numpy.array_equal(w, numpy.full(4, 2.0, numpy.float32)), name  # in place


def test_parameters_are_shared_and_gradients_are_descents_buffers():
    w = numpy.zeros((2, 3), numpy.float32)
    opt = descent.optim.SGD([w], lr=0.5)
    grad = opt.grads[0]
    assert grad.shape == (2, 3) and grad.dtype == numpy.float32
    grad[:] = 1.0
    opt.step()
    numpy.testing.assert_array_equal(w, -0.5)  # w itself moved
    opt.zero_grad()
    numpy.testing.assert_array_equal(grad, 0.0)  # the same buffer
    assert opt.param_groups[0]["params"][0] is w


def test_step_with_given_gradients_equals_filling_the_buffers():
    a = numpy.linspace(-1, 1, 6, dtype=numpy.float32)
    b = a.copy()
    opt_a = descent.optim.Adam([a], lr=0.1)
    opt_b = descent.optim.Adam([b], lr=0.1)
    for _ in range(5):
        opt_a.grads[0][:] = quadratic_gradient(a)
        opt_a.step()
        opt_b.step(grads=[quadratic_gradient(b)])
    numpy.testing.assert_array_equal(a, b)


def test_param_group_values_are_read_and_written_through():
    w = numpy.ones(3, numpy.float32)
    opt = descent.optim.Adam([w], lr=1e-3, betas=(0.8, 0.9), amsgrad=True)
    group = opt.param_groups[0]
    assert group["lr"] == 1e-3 and group["betas"] == (0.8, 0.9) and group["amsgrad"] is True
    assert group["convention"] == "pytorch"
    group["lr"] = 0.5
    group["betas"] = (0.0, 0.5)
    assert opt.param_groups[0]["beta1"] == 0.0
    opt.grads[0][:] = 1.0
    opt.step()
    numpy.testing.assert_allclose(w, 0.5, rtol=1e-6)  # bias-corrected Adam's first step is lr
    with pytest.raises(KeyError, match="unknown hyper-parameter 'lrr'.*did you mean 'lr'"):
        group["lrr"] = 1.0
    with pytest.raises(ValueError, match="lr=-1 is not valid"):
        group["lr"] = -1


def test_state_dict_resumes_bit_for_bit():
    def loop(opt, w, steps):
        for _ in range(steps):
            opt.step(grads=[quadratic_gradient(w)])

    w = numpy.linspace(0, 3, 5, dtype=numpy.float32)
    straight = w.copy()
    loop(descent.optim.AdamW([straight], lr=0.05), straight, 20)
    first = descent.optim.AdamW([w], lr=0.05)
    loop(first, w, 10)
    state = first.state_dict()
    assert set(state) == {"meta", "tensors"} and state["tensors"]
    resumed_w = w.copy()
    resumed = descent.optim.AdamW([resumed_w], lr=0.05)
    resumed.load_state_dict(state)
    loop(resumed, resumed_w, 10)
    numpy.testing.assert_array_equal(resumed_w, straight)
    other = descent.optim.SGD([numpy.zeros(5, numpy.float32)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="adamw"):
        other.load_state_dict(state)


def test_scheduler_steps_the_groups_and_restarts_from_its_state():
    opt = descent.optim.SGD([numpy.zeros(2, numpy.float32)], lr=0.1)
    sched = descent.optim.Scheduler(opt, "step:step_size=2,gamma=0.5")
    lrs = []
    for _ in range(5):
        lrs.append(opt.param_groups[0]["lr"])
        sched.step()
    assert lrs == [0.1, 0.1, 0.05, 0.05, 0.025]
    state = sched.state_dict()
    opt2 = descent.optim.SGD([numpy.zeros(2, numpy.float32)], lr=0.1)
    sched2 = descent.optim.Scheduler(opt2, "step", step_size=2, gamma=0.5)
    sched2.load_state_dict(state)
    assert sched2.last_epoch == 5 and opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    plateau = descent.optim.Scheduler(opt, "reduce_on_plateau")
    with pytest.raises(ValueError, match="needs the metric"):
        plateau.step()


def test_unknown_names_raise_key_error_with_descents_message():
    w = numpy.zeros(2, numpy.float32)
    with pytest.raises(KeyError, match="unknown optimizer 'adamm'.*did you mean 'adam'"):
        descent.optim.Optimizer([w], "adamm")
    with pytest.raises(KeyError, match="unknown key 'betta1'"):
        descent.optim.Adam([w], betta1=0.9)
    opt = descent.optim.SGD([w])
    with pytest.raises(KeyError, match="schedule 'cosin': unknown.*did you mean 'cosine'"):
        descent.optim.Scheduler(opt, "cosin")


def test_bad_values_and_arrays_raise_value_error():
    w = numpy.zeros(2, numpy.float32)
    with pytest.raises(ValueError, match="lr=-0.1 is not valid"):
        descent.optim.SGD([w], lr=-0.1)
    with pytest.raises(ValueError, match="expected a float32 array, got dtype float64"):
        descent.optim.SGD([numpy.zeros(2)])
    with pytest.raises(ValueError, match="C-contiguous"):
        descent.optim.SGD([numpy.zeros((4, 4), numpy.float32)[:, 1]])
    frozen = numpy.zeros(2, numpy.float32)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        descent.optim.SGD([frozen])
    opt = descent.optim.SGD([w])
    with pytest.raises(ValueError, match="1 gradients for 1 parameters|shape does not match"):
        opt.step(grads=[numpy.zeros(3, numpy.float32)])
    with pytest.raises(ValueError, match="needs a closure"):
        descent.optim.LBFGS([w]).step()
    with pytest.raises(ValueError, match="empty parameter list"):
        descent.optim.SGD([])


def test_chain_of_transforms_from_python_lists():
    w = numpy.full(3, 5.0, numpy.float32)
    opt = descent.optim.Chain([w], lr=0.1,
                              transforms=["clip_by_global_norm:max_norm=1",
                                          "scale_by_optimizer:base=sgd"])
    opt.step(grads=[numpy.full(3, 100.0, numpy.float32)])
    # The gradient's norm was clipped to 1 before SGD's step of lr 0.1.
    numpy.testing.assert_allclose(w, 5.0 - 0.1 / numpy.sqrt(3), rtol=1e-6)
    with pytest.raises(KeyError, match="unknown transform 'clip'"):
        descent.optim.Chain([w], transforms=["clip:max_norm=1"])
