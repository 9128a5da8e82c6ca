#!/usr/bin/python3
"""Loads an autoencoder or VAE run's model.safetensors into the equivalent PyTorch module and
evaluates it on the Fashion-MNIST test set.

    scripts/check_torch_load_autoencoder.py RUN_DIR [--tolerance 1e-4]

Builds a torch.nn.Module with `encoder` and `decoder` nn.Sequential members (a VAE also its `mu`
and `logvar` linear heads; a tied decoder layer holds only its bias and uses the transpose of the
encoder's layer at the same position from the end) from the run's config.toml, loads
model.safetensors with load_state_dict(strict=True), and recomputes the test terms that do not
depend on random draws, in evaluation batches as descent takes them:
  autoencoder  test_loss (the objective: reconstruction plus weighted penalties),
               test_reconstruction, test_mse, and test_sparsity, test_code_mean, test_contractive
               when the run has those penalties
  vae          test_kl and test_mse (of the decoded mean); test_reconstruction samples z, so the
               script prints its value at eps = 0 (decoding the mean) for information only
Each is compared with the run's summary.json, relative to max(|value|, 1e-3). Exits 0 when all
agree within the tolerance, 1 when one does not, 77 (skipped) when PyTorch is not installed.
The classifier check (check_torch_load.py) is a separate script: the models, the terms and the
comparison differ; the two share its command line, safetensors and IDX readers.
"""
import json
import pathlib
import sys

from check_torch_load import SKIP, open_run, read_idx, read_safetensors

DEFAULTS = {"reconstruction": "mse", "tied": False, "sparsity": "none", "sparsity_weight": 0.0,
            "sparsity_target": 0.05, "contractive_weight": 0.0}


def parse(spec):
    name, _, rest = spec.partition(":")
    return name, dict(kv.split("=", 1) for kv in rest.split(",") if kv)


def with_last_out(layers, out):
    """descent's rule: the last linear layer outputs `out` when its `out` is left out."""
    layers = list(layers)
    for i in reversed(range(len(layers))):
        name, args = parse(layers[i])
        if name == "linear":
            if "out" not in args:
                layers[i] += (",out=" if ":" in layers[i] else ":out=") + str(out)
            return layers
    raise ValueError(f"no linear layer in {layers}")


def build_modules(torch):
    class TiedLinear(torch.nn.Module):
        """y = x W + b, W the source Linear's weight [out, in]; only the bias is its own."""

        def __init__(self, source, bias):
            super().__init__()
            self.source = [source]  # a list: the weight belongs to the encoder's state dict
            self.bias = torch.nn.Parameter(torch.zeros(source.weight.shape[1])) if bias else None

        def forward(self, x):
            return torch.nn.functional.linear(x, self.source[0].weight.t(), self.bias)

    def layer(spec, features, tied_sources):
        name, args = parse(spec)
        if name == "linear":
            bias = args.get("bias", "true") == "true"
            if tied_sources is not None:
                source = tied_sources.pop(0)
                return TiedLinear(source, bias), source.weight.shape[1]
            return torch.nn.Linear(features, int(args["out"]), bias=bias), int(args["out"])
        simple = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid,
                  "identity": torch.nn.Identity}
        if name in simple:
            return simple[name](), features
        if name == "elu":
            return torch.nn.ELU(alpha=float(args.get("alpha", 1.0))), features
        if name == "leaky_relu":
            return torch.nn.LeakyReLU(float(args.get("negative_slope", 0.01))), features
        if name == "softplus":
            return torch.nn.Softplus(float(args.get("beta", 1)),
                                     float(args.get("threshold", 20))), features
        if name == "dropout":
            return torch.nn.Dropout(float(args.get("p", 0.5))), features
        raise ValueError(f"layer {spec!r} has no PyTorch equivalent here")

    def sequential(layers, features, tied_sources=None):
        modules = []
        for spec in layers:
            module, features = layer(spec, features, tied_sources)
            modules.append(module)
        return torch.nn.Sequential(*modules), features

    class Autoencoder(torch.nn.Module):
        def __init__(self, kind, encoder, decoder, code, tied, in_features):
            super().__init__()
            if kind == "vae":
                self.encoder, hidden = sequential(encoder, in_features)
                self.mu = torch.nn.Linear(hidden, code)
                self.logvar = torch.nn.Linear(hidden, code)
            else:
                self.encoder, _ = sequential(with_last_out(encoder, code), in_features)
            sources = None
            if tied:
                sources = [m for m in self.encoder if isinstance(m, torch.nn.Linear)][::-1]
            self.decoder, _ = sequential(with_last_out(decoder, in_features), code, sources)

    return Autoencoder


def batch_terms(torch, model, kind, o, x):
    """descent's evaluation terms of one batch that do not depend on random draws."""
    F = torch.nn.functional
    bce = o["reconstruction"] == "binary_cross_entropy"

    def values(output):
        return torch.sigmoid(output) if bce else output

    def reconstruction(output):
        return F.binary_cross_entropy_with_logits(output, x) if bce else F.mse_loss(output, x)

    terms = {}
    if kind == "vae":
        h = model.encoder(x)
        mu, logvar = model.mu(h), model.logvar(h)
        output = model.decoder(mu)
        terms["kl"] = float(-0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / len(x))
        terms["mse"] = float(F.mse_loss(values(output).double(), x.double()))
        terms["reconstruction_at_mean"] = float(reconstruction(output)) * x.shape[1]
        return terms
    code = model.encoder(x)
    output = model.decoder(code)
    terms["reconstruction"] = float(reconstruction(output))
    terms["mse"] = float(F.mse_loss(values(output).double(), x.double()))
    if o["sparsity"] == "l1":
        terms["sparsity"] = float(code.abs().sum() / len(x))
    elif o["sparsity"] == "kl":
        rho, r = o["sparsity_target"], code.mean(0)
        terms["sparsity"] = float(torch.sum(rho * torch.log(rho / r) +
                                            (1 - rho) * torch.log((1 - rho) / (1 - r))))
    if o["sparsity"] != "none":
        terms["code_mean"] = float(code.double().mean())
    loss = terms["reconstruction"]
    if o["sparsity"] != "none":
        loss += o["sparsity_weight"] * terms["sparsity"]
    if o["contractive_weight"] > 0:
        last = model.encoder[-1]
        if isinstance(last, torch.nn.Sigmoid):
            slope = code * (1 - code)
        elif isinstance(last, torch.nn.Tanh):
            slope = 1 - code * code
        elif isinstance(last, torch.nn.ReLU):
            slope = (code > 0).float()
        else:
            slope = torch.ones_like(code)
        norms = model.encoder[0].weight.pow(2).sum(1)
        terms["contractive"] = float((slope.pow(2) * norms).sum() / len(x))
        loss += o["contractive_weight"] * terms["contractive"]
    terms["loss"] = loss
    return terms


def main():
    opened = open_run(1e-4)
    if opened is None:
        return SKIP
    args, run, config, summary = opened
    import numpy as np
    import torch
    m = config["model"]
    kind = m.get("kind", "classifier")
    if kind not in ("autoencoder", "vae"):
        print(f"{run}: model.kind is {kind!r}; this script checks autoencoder and vae runs "
              "(classifiers: scripts/check_torch_load.py)", file=sys.stderr)
        return 1
    o = {**DEFAULTS, **config.get("autoencoder", {})}
    data_dir = pathlib.Path(config["data"]["dir"])
    images = read_idx(data_dir / "t10k-images-idx3-ubyte.gz")
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)

    torch.set_num_threads(1)
    Autoencoder = build_modules(torch)
    model = Autoencoder(kind, m["encoder"], m["decoder"], int(m["code"]), o["tied"], x.shape[1])
    model.load_state_dict(read_safetensors(run / "model.safetensors"), strict=True)
    model.eval()
    batch = 1000  # descent's evaluation batches (kl sparsity is a per-batch term)
    totals = {}
    with torch.no_grad():
        for begin in range(0, len(x), batch):
            part = x[begin:begin + batch]
            for name, value in batch_terms(torch, model, kind, o, part).items():
                totals[name] = totals.get(name, 0.0) + value * len(part)
    torch_terms = {name: total / len(x) for name, total in totals.items()}

    result, failures, worst = {"kind": kind}, [], 0.0
    for name, value in torch_terms.items():
        result[f"torch_test_{name}"] = value
        key = f"test_{name}"
        if key not in summary:
            continue  # reconstruction_at_mean: for information
        result[f"descent_{key}"] = summary[key]
        error = abs(value - summary[key]) / max(abs(summary[key]), 1e-3)
        worst = max(worst, error)
        if error > args.tolerance:
            failures.append(f"{key}: descent {summary[key]}, PyTorch {value} "
                            f"(relative error {error:.3g} > {args.tolerance})")
    expected = {"vae": ["test_kl", "test_mse"],
                "autoencoder": ["test_loss", "test_reconstruction", "test_mse"]}[kind]
    for key in expected:
        if key not in summary:
            failures.append(f"{run / 'summary.json'}: no {key}")
    result["worst_relative_error"] = worst
    print(json.dumps(result))
    for f in failures:
        print(f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
