#!/usr/bin/python3
"""Writes tests/golden/autoencoders.json: PyTorch training of every autoencoder kind, for
descent's golden test tests/test_autoencoder_golden.cpp.

Regenerate with Debian's torch (1.13): /usr/bin/python3 scripts/golden/autoencoders.py

Each case trains a small autoencoder or VAE on one fixed dataset (64 examples x 12 features in
(0, 1), stored in the file) for one epoch (two for the KL warm-up case) in minibatches of 24 taken
in order (24, 24, then a short 16), with torch.optim.SGD or Adam. The modules are named as
descent names its parameters: a module with `encoder` and `decoder` nn.Sequential members (and
`mu`, `logvar` heads for a VAE), so state_dict keys are "encoder.0.weight", "mu.bias", ...; a
tied decoder layer has only a bias and uses the transpose of the encoder's layer at the same
position from the end. The layers are given as descent's SPEC strings, and the C++ test builds
them with descent's builders.

The losses follow descent's definitions (train/objectives/autoencoder.h, variational.h,
nn/autoencoder_penalties.h), written here in plain PyTorch:
  mse                    F.mse_loss, the mean over every value
  binary_cross_entropy   F.binary_cross_entropy_with_logits, the mean over every value
  l1 sparsity            sum |h| / n
  kl sparsity            sum_j rho log(rho / r_j) + (1 - rho) log((1 - rho) / (1 - r_j)),
                         r_j = the batch mean of code unit j
  contractive            sum_j s'(a_j)^2 ||W_j||^2 / n; checked below against the Frobenius norm
                         of the encoder's Jacobian from autograd
  VAE                    reconstruction summed per example and averaged over the batch, plus
                         beta_t * KL(N(mu, exp(logvar)) || N(0, I)) averaged likewise (checked
                         against torch.distributions), beta_t = beta * min(1, epoch / warmup)
Random numbers are drawn here and stored: the corrupted inputs of each training step (denoising)
and the eps of each step (VAE), which the C++ test feeds to descent's objectives.

Per case the file holds the initial weights, the loss of every step (before that step's update),
every objective term averaged over each epoch (descent's train_<term> metrics), and the final
weights, as float32 values (see optimizers.py's f32).
"""
import math
import pathlib
import sys

import numpy as np
import torch
import torch.nn.functional as F

from optimizers import f32, make_optimizer, write_golden_doc

# Layer SPECs are read as descent reads them, by the same code as the torch-load check.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from check_torch_load_autoencoder import parse, with_last_out  # noqa: E402

SEED = 20240611
EXAMPLES, FEATURES, BATCH = 64, 12, 24

AE = "autoencoder"
VAE = "vae"
RELU_MLP = ["linear:out=8", "relu", "linear"]  # an encoder or decoder with one hidden layer

# name, kind, encoder, decoder, code, tied, objective options, optimizer, hyper-parameters, epochs
CASES = [
    ("undercomplete_mse", AE, RELU_MLP, RELU_MLP, 3, False, {}, "adam", {"lr": 0.01}, 1),
    ("binary_cross_entropy", AE, ["linear:out=8", "tanh", "linear"],
     ["linear:out=8", "tanh", "linear"], 3, False, {"reconstruction": "binary_cross_entropy"},
     "sgd", {"lr": 0.5, "momentum": 0.9}, 1),
    ("tied", AE, ["linear:out=8", "tanh", "linear", "tanh"], ["linear", "tanh", "linear"], 4, True,
     {}, "adam", {"lr": 0.01}, 1),
    ("sparse_l1", AE, RELU_MLP, RELU_MLP, 6, False, {"sparsity": "l1", "sparsity_weight": 0.05},
     "adam", {"lr": 0.01}, 1),
    ("sparse_kl", AE, ["linear", "sigmoid"], ["linear"], 8, False,
     {"sparsity": "kl", "sparsity_weight": 0.5, "sparsity_target": 0.1,
      "reconstruction": "binary_cross_entropy"}, "adam", {"lr": 0.02}, 1),
    ("contractive_sigmoid", AE, ["linear", "sigmoid"], ["linear"], 5, False,
     {"contractive_weight": 0.5}, "sgd", {"lr": 0.5, "momentum": 0.9}, 1),
    ("contractive_tanh", AE, ["linear", "tanh"], ["linear"], 5, False,
     {"contractive_weight": 0.2}, "adam", {"lr": 0.01}, 1),
    ("denoising_gaussian", AE, RELU_MLP, RELU_MLP, 4, False,
     {"noise": "gaussian", "noise_level": 0.3}, "adam", {"lr": 0.01}, 1),
    ("denoising_mask", AE, RELU_MLP, RELU_MLP, 4, False, {"noise": "mask", "noise_level": 0.25},
     "adam", {"lr": 0.01}, 1),
    ("denoising_salt_and_pepper", AE, RELU_MLP, RELU_MLP, 4, False,
     {"noise": "salt_and_pepper", "noise_level": 0.2, "reconstruction": "binary_cross_entropy"},
     "sgd", {"lr": 0.5, "momentum": 0.9}, 1),
    # Two epochs, so that the KL weight is seen rising: beta / 2 in epoch 1, beta in epoch 2.
    ("vae_beta_warmup", VAE, ["linear:out=8", "tanh"], ["linear:out=8", "tanh", "linear"], 2, False,
     {"reconstruction": "binary_cross_entropy", "beta": 0.5, "kl_warmup_epochs": 2}, "adam",
     {"lr": 0.01}, 2),
    ("vae_mse", VAE, ["linear:out=8", "relu"], ["linear:out=8", "relu", "linear"], 3, False,
     {"reconstruction": "mse", "beta": 2.0}, "sgd", {"lr": 0.02, "momentum": 0.9}, 1),
]

DEFAULTS = {"reconstruction": "mse", "sparsity": "none", "sparsity_weight": 0.0,
            "sparsity_target": 0.05, "noise": "none", "noise_level": 0.0,
            "contractive_weight": 0.0, "beta": 1.0, "kl_warmup_epochs": 0}


def make_data(rng):
    """Inputs in (0, 1) with structure to learn: a sigmoid of 3 latent factors plus noise."""
    latent = rng.standard_normal((EXAMPLES, 3))
    mixing = rng.standard_normal((3, FEATURES))
    x = 1 / (1 + np.exp(-(latent @ mixing + 0.3 * rng.standard_normal((EXAMPLES, FEATURES)))))
    return torch.tensor(x, dtype=torch.float32)


ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}


class TiedLinear(torch.nn.Module):
    """y = x W + b with W the source Linear's weight [out, in]: maps its outputs to its inputs."""

    def __init__(self, source):
        super().__init__()
        self.source = [source]  # a list, so the source's weight is not registered twice
        bound = 1 / math.sqrt(source.weight.shape[0])
        self.bias = torch.nn.Parameter(torch.empty(source.weight.shape[1]).uniform_(-bound, bound))

    def forward(self, x):
        return F.linear(x, self.source[0].weight.t(), self.bias)


def build_sequential(layers, features, tied_sources=None):
    modules = []
    for spec in layers:
        name, args = parse(spec)
        if name == "linear":
            if tied_sources is not None:
                source = tied_sources.pop(0)
                modules.append(TiedLinear(source))
                features = source.weight.shape[1]
            else:
                modules.append(torch.nn.Linear(features, int(args["out"])))
                features = int(args["out"])
        else:
            modules.append(ACTIVATIONS[name]())
    return torch.nn.Sequential(*modules), features


class Autoencoder(torch.nn.Module):
    def __init__(self, kind, encoder, decoder, code, tied):
        super().__init__()
        self.kind = kind
        if kind == VAE:
            self.encoder, hidden = build_sequential(encoder, FEATURES)
            self.mu = torch.nn.Linear(hidden, code)
            self.logvar = torch.nn.Linear(hidden, code)
        else:
            self.encoder, _ = build_sequential(with_last_out(encoder, code), FEATURES)
        sources = None
        if tied:
            sources = [m for m in self.encoder if isinstance(m, torch.nn.Linear)][::-1]
        self.decoder, _ = build_sequential(with_last_out(decoder, FEATURES), code, sources)


def reconstruction_mean(name, output, x):
    if name == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(output, x)
    return F.mse_loss(output, x)


def reconstructed(name, output):
    return torch.sigmoid(output) if name == "binary_cross_entropy" else output


def code_activation(encoder):
    last = encoder[-1]
    return "identity" if isinstance(last, torch.nn.Linear) else type(last).__name__.lower()


def contractive(code, weight, activation):
    slope = code * (1 - code) if activation == "sigmoid" else 1 - code * code
    return (slope.pow(2) * weight.pow(2).sum(1)).sum() / code.shape[0]


def check_contractive(model, x, activation):
    """The closed form equals the mean squared Frobenius norm of dh/dx, taken by autograd."""
    encoder = model.encoder.double()
    code = encoder(x.double())
    closed = contractive(code, encoder[0].weight, activation)
    jac = sum(torch.autograd.functional.jacobian(encoder, row.unsqueeze(0)).pow(2).sum()
              for row in x.double()) / x.shape[0]
    model.float()
    assert torch.allclose(closed, jac, rtol=1e-10), (closed, jac)


def check_gaussian_kl(mu, logvar, kl):
    q = torch.distributions.Normal(mu.double(), (0.5 * logvar.double()).exp())
    p = torch.distributions.Normal(torch.zeros_like(q.loc), torch.ones_like(q.loc))
    reference = torch.distributions.kl_divergence(q, p).sum(1).mean()
    assert abs(float(reference) - float(kl)) <= 1e-5 * max(1.0, abs(float(reference))), \
        (reference, kl)


def corrupt(x, noise, level, rng):
    """The corruption descent's input_noise.h describes, drawn here from numpy."""
    xs = x.numpy()
    if noise == "gaussian":
        out = xs + level * rng.standard_normal(xs.shape)
    elif noise == "mask":
        out = np.where(rng.random(xs.shape) < level, 0.0, xs)
    else:  # salt_and_pepper
        hit = rng.random(xs.shape) < level
        out = np.where(hit, (rng.random(xs.shape) < 0.5).astype(np.float64), xs)
    return torch.tensor(out, dtype=torch.float32)


def step_loss(model, o, x, noisy, eps, epoch, terms):
    """The loss of one minibatch (descent's objective), adding each term to `terms`."""
    rec = o["reconstruction"]
    if model.kind == VAE:
        h = model.encoder(x)
        mu, logvar = model.mu(h), model.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * eps
        output = model.decoder(z)
        n = x.shape[0]
        if rec == "binary_cross_entropy":
            reconstruction = F.binary_cross_entropy_with_logits(output, x, reduction="sum") / n
        else:
            reconstruction = F.mse_loss(output, x, reduction="sum") / n
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / n
        check_gaussian_kl(mu, logvar, kl)
        warmup = o["kl_warmup_epochs"]
        weight = o["beta"] * (min(1.0, epoch / warmup) if warmup > 0 else 1.0)
        terms["reconstruction"].append(float(reconstruction))
        terms["kl"].append(float(kl))
        terms["elbo"].append(-(float(reconstruction) + float(kl)))
        terms["kl_weight"].append(weight)
        return reconstruction + weight * kl
    code = model.encoder(noisy if noisy is not None else x)
    output = model.decoder(code)
    loss = reconstruction_mean(rec, output, x)
    terms["reconstruction"].append(float(loss))
    terms["mse"].append(float(F.mse_loss(reconstructed(rec, output).double(), x.double())))
    if o["sparsity"] != "none":
        if o["sparsity"] == "l1":
            penalty = code.abs().sum() / code.shape[0]
        else:
            rho, r = o["sparsity_target"], code.mean(0)
            penalty = torch.sum(rho * torch.log(rho / r) +
                                (1 - rho) * torch.log((1 - rho) / (1 - r)))
        terms["sparsity"].append(float(penalty))
        terms["code_mean"].append(float(code.double().mean()))
        loss = loss + o["sparsity_weight"] * penalty
    if o["contractive_weight"] > 0:
        penalty = contractive(code, model.encoder[0].weight, code_activation(model.encoder))
        terms["contractive"].append(float(penalty))
        loss = loss + o["contractive_weight"] * penalty
    return loss


def named(tensors):
    return [{"name": k, "shape": list(v.shape), "values": f32(v.detach().numpy())}
            for k, v in tensors.items()]


def run_case(data, rng, name, kind, encoder, decoder, code, tied, options, optimizer, hyper,
             epochs):
    o = {**DEFAULTS, **options}
    torch.manual_seed(SEED + sum(map(ord, name)))
    model = Autoencoder(kind, encoder, decoder, code, tied)
    initial = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if o["contractive_weight"] > 0:
        check_contractive(model, data[:5], code_activation(model.encoder))
    opt = make_optimizer(optimizer, list(model.parameters()), hyper)
    losses, noisy_inputs, eps_drawn, epoch_terms = [], [], [], []
    for epoch in range(1, epochs + 1):
        sizes = []
        terms = {t: [] for t in ("reconstruction", "mse", "sparsity", "code_mean", "contractive",
                                 "kl", "elbo", "kl_weight")}
        for begin in range(0, EXAMPLES, BATCH):
            x = data[begin:begin + BATCH]
            noisy = eps = None
            if o["noise"] != "none":
                noisy = corrupt(x, o["noise"], o["noise_level"], rng)
                noisy_inputs.append(f32(noisy.numpy()))
            if kind == VAE:
                eps = torch.tensor(rng.standard_normal((x.shape[0], code)), dtype=torch.float32)
                eps_drawn.append(f32(eps.numpy()))
            opt.zero_grad()
            loss = step_loss(model, o, x, noisy, eps, epoch, terms)
            loss.backward()
            opt.step()
            losses.append(float(loss))
            sizes.append(x.shape[0])
        # Means over the epoch's examples, as descent's train_<term> metrics.
        epoch_terms.append({t: sum(v * s for v, s in zip(values, sizes)) / sum(sizes)
                            for t, values in terms.items() if values})
    final = model.state_dict()
    assert all(torch.isfinite(v).all() for v in final.values()), f"{name}: diverged"
    moved = max(float((final[k] - initial[k]).abs().max()) for k in initial)
    assert moved > 1e-3, f"{name}: the weights hardly moved ({moved})"
    case = {"name": name, "kind": kind, "encoder": encoder, "decoder": decoder, "code": code,
            "tied": tied, "objective": o, "optimizer": optimizer, "hyperparams": hyper,
            "epochs": epochs, "initial": named(initial), "losses": f32(losses),
            "terms": epoch_terms, "final": named(final)}
    if noisy_inputs:
        case["noisy_inputs"] = noisy_inputs
    if eps_drawn:
        case["eps"] = eps_drawn
    return case


def main():
    assert torch.__version__.startswith("1.13"), f"expected torch 1.13, got {torch.__version__}"
    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED)
    data = make_data(rng)
    cases = [run_case(data, rng, *spec) for spec in CASES]
    doc = {"generator": "scripts/golden/autoencoders.py", "torch_version": torch.__version__,
           "batch_size": BATCH,
           "data": {"shape": list(data.shape), "values": f32(data.numpy())}, "cases": cases}
    write_golden_doc(doc, "autoencoders.json")


if __name__ == "__main__":
    main()
