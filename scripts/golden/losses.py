#!/usr/bin/python3
"""Writes, for tests/test_loss_golden.cpp:

- tests/golden/losses.json: PyTorch 1.13's L1Loss, SmoothL1Loss and HuberLoss (mean reduction) on
  fixed predictions and targets, their values and their gradients with respect to the prediction.
  The differences prediction - target cover both sides of every kink: inside and outside the
  quadratic zone of beta / delta, exactly on its edge, and exactly 0 (where L1's gradient is 0).
- tests/golden/loss_options.json: every train.loss with options (class weights, label smoothing,
  pos_weight, kl_div's reductions and log_target, the margin losses, reduction = sum), each case
  the train.loss SPEC, the PyTorch call it matches, the value and the gradient with respect to the
  model's output (for kl_div, the scores log_softmax is applied to). Cases marked "direct" call
  the library's KLDivLoss on log-probabilities, as F.kl_div takes them.

Regenerate with Debian's torch: /usr/bin/python3 scripts/golden/losses.py
"""
import math

import torch
import torch.nn.functional as F

from optimizers import f32, write_golden_doc

assert torch.__version__.startswith("1.13"), torch.__version__

SHAPE = [4, 3]


def inputs():
    n = math.prod(SHAPE)
    target = [0.7 * math.sin(1.3 * i + 0.4) for i in range(n)]
    offsets = [0.0, 0.3, -0.3, 1.0, -1.0, 2.5, -2.5, 0.05, -0.9, 1.7, -0.49, 0.51]
    prediction = [t + o for t, o in zip(target, offsets)]
    as_tensor = lambda v: torch.tensor(v, dtype=torch.float32).reshape(SHAPE)
    return as_tensor(prediction), as_tensor(target)


CASES = [
    # name, descent's call, the PyTorch module
    ("l1", "l1", torch.nn.L1Loss()),
    ("smooth_l1", "smooth_l1", torch.nn.SmoothL1Loss()),
    ("smooth_l1_beta_0.5", "smooth_l1:beta=0.5", torch.nn.SmoothL1Loss(beta=0.5)),
    ("huber", "huber", torch.nn.HuberLoss()),
    ("huber_delta_2", "huber:delta=2", torch.nn.HuberLoss(delta=2.0)),
    ("huber_delta_0.3", "huber:delta=0.3", torch.nn.HuberLoss(delta=0.3)),
]


def main():
    torch.set_num_threads(1)
    prediction, target = inputs()
    cases = []
    for name, call, module in CASES:
        y = prediction.clone().requires_grad_()
        loss = module(y, target)
        loss.backward()
        cases.append({"name": name, "call": call, "value": f32([loss.item()])[0],
                      "grad": f32(y.grad.numpy())})
    doc = {"generator": "scripts/golden/losses.py", "torch_version": torch.__version__,
           "shape": SHAPE, "prediction": f32(prediction.numpy()), "target": f32(target.numpy()),
           "cases": cases}
    write_golden_doc(doc, "losses.json")
    write_golden_doc(option_cases(), "loss_options.json")


# The inputs of the option cases: 5 examples of 4 outputs (classes).
ROWS, COLS = 5, 4


def option_inputs():
    as_tensor = lambda v: torch.tensor(v, dtype=torch.float32).reshape(ROWS, COLS)
    cells = range(ROWS * COLS)
    scores = as_tensor([2.5 * math.sin(0.9 * i + 0.3) + 0.3 * math.cos(2.1 * i) for i in cells])
    # Soft labels: a softmax of other scores, with one exact zero (0 log 0 counts 0).
    probs = torch.softmax(as_tensor([1.5 * math.cos(0.7 * i + 1.1) for i in cells]), 1)
    probs[2, 1] = 0
    probs = probs / probs.sum(1, keepdim=True)
    log_target = torch.log_softmax(as_tensor([math.sin(1.7 * i) for i in cells]), 1)
    binary = as_tensor([[0, 1, 0.25, 1][i % 4] if i % 3 else 0.7 for i in cells])
    signs = as_tensor([1.0 if (i * 7) % 3 == 0 else -1.0 for i in cells])
    inputs = {"scores": scores, "log_probs": torch.log_softmax(scores, 1)}
    targets = {"classes": torch.tensor([1, 3, 0, 2, 3], dtype=torch.float32), "probs": probs,
               "log_probs": log_target, "binary": binary, "signs": signs}
    return inputs, targets


W = [1.0, 2.0, 0.5, 1.5]  # class weights
w = torch.tensor(W)
pw = torch.tensor([0.5, 1.0, 2.0, 3.0])  # pos_weight per output

OPTION_CASES = [
    # train.loss SPEC, input, target, direct (KLDivLoss on log-probabilities), the PyTorch call
    ("cross_entropy", "scores", "classes", False, lambda x, t: F.cross_entropy(x, t)),
    ("cross_entropy:label_smoothing=0.1", "scores", "classes", False,
     lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1)),
    ("cross_entropy:label_smoothing=1", "scores", "classes", False,
     lambda x, t: F.cross_entropy(x, t, label_smoothing=1.0)),
    ("cross_entropy:weight=[1,2,0.5,1.5]", "scores", "classes", False,
     lambda x, t: F.cross_entropy(x, t, weight=w)),
    ("cross_entropy:label_smoothing=0.2,weight=[1,2,0.5,1.5]", "scores", "classes", False,
     lambda x, t: F.cross_entropy(x, t, weight=w, label_smoothing=0.2)),
    ("cross_entropy:label_smoothing=0.2,weight=[1,2,0.5,1.5],reduction=sum", "scores", "classes",
     False, lambda x, t: F.cross_entropy(x, t, weight=w, label_smoothing=0.2, reduction="sum")),
    ("cross_entropy:reduction=sum", "scores", "classes", False,
     lambda x, t: F.cross_entropy(x, t, reduction="sum")),
    ("nll:reduction=sum", "log_probs", "classes", False,
     lambda x, t: F.nll_loss(x, t, reduction="sum")),
    ("nll:weight=[1,2,0.5,1.5]", "log_probs", "classes", False,
     lambda x, t: F.nll_loss(x, t, weight=w)),
    ("nll:weight=[1,2,0.5,1.5],reduction=sum", "log_probs", "classes", False,
     lambda x, t: F.nll_loss(x, t, weight=w, reduction="sum")),
    ("binary_cross_entropy:pos_weight=2.5", "scores", "binary", False,
     lambda x, t: F.binary_cross_entropy_with_logits(x, t, pos_weight=torch.tensor([2.5]))),
    ("binary_cross_entropy:pos_weight=[0.5,1,2,3]", "scores", "binary", False,
     lambda x, t: F.binary_cross_entropy_with_logits(x, t, pos_weight=pw)),
    ("binary_cross_entropy:pos_weight=[0.5,1,2,3],reduction=sum", "scores", "binary", False,
     lambda x, t: F.binary_cross_entropy_with_logits(x, t, pos_weight=pw, reduction="sum")),
    ("binary_cross_entropy:reduction=sum", "scores", "binary", False,
     lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="sum")),
    ("kl_div", "scores", "probs", False,
     lambda x, t: F.kl_div(F.log_softmax(x, 1), t, reduction="batchmean")),
    ("kl_div:reduction=mean", "scores", "probs", False,
     lambda x, t: F.kl_div(F.log_softmax(x, 1), t, reduction="mean")),
    ("kl_div:reduction=sum", "scores", "probs", False,
     lambda x, t: F.kl_div(F.log_softmax(x, 1), t, reduction="sum")),
    ("kl_div:log_target=true", "scores", "log_probs", False,
     lambda x, t: F.kl_div(F.log_softmax(x, 1), t, reduction="batchmean", log_target=True)),
    ("kl_div:reduction=batchmean", "log_probs", "probs", True,
     lambda x, t: F.kl_div(x, t, reduction="batchmean")),
    ("kl_div:reduction=mean", "log_probs", "probs", True,
     lambda x, t: F.kl_div(x, t, reduction="mean")),
    ("kl_div:reduction=sum,log_target=true", "log_probs", "log_probs", True,
     lambda x, t: F.kl_div(x, t, reduction="sum", log_target=True)),
    ("hinge_embedding", "scores", "signs", False, lambda x, t: F.hinge_embedding_loss(x, t)),
    ("hinge_embedding:margin=0.5,reduction=sum", "scores", "signs", False,
     lambda x, t: F.hinge_embedding_loss(x, t, margin=0.5, reduction="sum")),
    ("hinge_embedding:margin=2", "scores", "signs", False,
     lambda x, t: F.hinge_embedding_loss(x, t, margin=2.0)),
    ("multi_margin", "scores", "classes", False, lambda x, t: F.multi_margin_loss(x, t)),
    ("multi_margin:p=2", "scores", "classes", False, lambda x, t: F.multi_margin_loss(x, t, p=2)),
    ("multi_margin:p=2,margin=0.5,weight=[1,2,0.5,1.5]", "scores", "classes", False,
     lambda x, t: F.multi_margin_loss(x, t, p=2, margin=0.5, weight=w)),
    ("multi_margin:margin=3,weight=[1,2,0.5,1.5],reduction=sum", "scores", "classes", False,
     lambda x, t: F.multi_margin_loss(x, t, margin=3.0, weight=w, reduction="sum")),
    ("mse:reduction=sum", "scores", "binary", False,
     lambda x, t: F.mse_loss(x, t, reduction="sum")),
    ("l1:reduction=sum", "scores", "binary", False, lambda x, t: F.l1_loss(x, t, reduction="sum")),
    ("smooth_l1:beta=0.5,reduction=sum", "scores", "binary", False,
     lambda x, t: F.smooth_l1_loss(x, t, beta=0.5, reduction="sum")),
    ("huber:delta=0.5,reduction=sum", "scores", "binary", False,
     lambda x, t: F.huber_loss(x, t, delta=0.5, reduction="sum")),
]


def option_cases():
    torch.set_num_threads(1)
    inputs, targets = option_inputs()
    cases = []
    for call, input_name, target_name, direct, reference in OPTION_CASES:
        x = inputs[input_name].clone().requires_grad_()
        t = targets[target_name]
        loss = reference(x, t.long() if target_name == "classes" else t)
        loss.backward()
        cases.append({"name": call + (" (direct)" if direct else ""), "call": call,
                      "input": input_name, "target": target_name, "direct": direct,
                      "value": f32([loss.item()])[0], "grad": f32(x.grad.numpy())})
    return {"generator": "scripts/golden/losses.py", "torch_version": torch.__version__,
            "shape": [ROWS, COLS],
            "inputs": {k: f32(v.numpy()) for k, v in inputs.items()},
            "targets": {k: f32(v.numpy()) for k, v in targets.items()}, "cases": cases}


if __name__ == "__main__":
    main()
