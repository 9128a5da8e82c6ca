#!/usr/bin/env python3
"""Writes the fuzzing harnesses' seed corpus, fuzz/corpus/<harness>/<seed>, from nothing but this
script and the built `descent` (which trains two tiny runs for the checkpoint and config.toml
seeds). Seeds are small, well-formed examples of each format, plus a few near misses; libFuzzer
mutates from them.

    fuzz/make_corpus.py [PATH_TO_DESCENT]      (default: build/descent)
"""
import gzip
import json
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def write(harness, name, data):
    path = CORPUS / harness / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


# --- IDX: magic 00 00 TT DD, big-endian uint32 dims, big-endian values -------------------------
IDX_TYPES = {0x08: "B", 0x09: "b", 0x0B: "h", 0x0C: "i", 0x0D: "f", 0x0E: "d"}


def idx(type_code, dims, values):
    head = bytes([0, 0, type_code, len(dims)]) + struct.pack(">%dI" % len(dims), *dims)
    return head + struct.pack(">%d%s" % (len(values), IDX_TYPES[type_code]), *values)


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def idx_seeds():
    seeds = {
        "labels_ubyte": idx(0x08, [10], list(range(10))),
        "images_ubyte": idx(0x08, [2, 3, 3], [i * 14 % 256 for i in range(18)]),
        "sbyte": idx(0x09, [4], [-128, -1, 0, 127]),
        "int16": idx(0x0B, [2, 2], [-32768, -1, 1, 32767]),
        "int32": idx(0x0C, [3], [-(2**31), 0, 2**31 - 1]),
        "float32": idx(0x0D, [2, 2], [0.5, -1.25, float("inf"), 3.0]),
        "float64": idx(0x0E, [2], [1e300, -2.5]),
    }
    for name, data in seeds.items():
        write("idx_reader", name, data)
        write("idx_gzip", name, b"\x00" + data)  # framing 0: one gzip member
    write("idx_reader", "images_ubyte.gz", gz(seeds["images_ubyte"]))
    write("idx_reader", "labels_two_members.gz", gz(seeds["labels_ubyte"][:7]) + gz(seeds["labels_ubyte"][7:]))
    write("idx_reader", "truncated", seeds["int32"][:-2])
    write("idx_reader", "trailing.gz", gz(seeds["float32"]) + b"junk")
    write("idx_gzip", "two_members", b"\x01" + seeds["images_ubyte"])
    write("idx_gzip", "trailing_garbage", b"\x02" + seeds["int16"] + b"\x1f\x8b\x08\x00")


# --- CSV: the first byte chooses the options (fuzz/csv_reader.cpp) -----------------------------
HEADER_AUTO, HEADER_TRUE, HEADER_FALSE = 0, 1, 2
CLASSIFY = 1 << 2
TARGET_LAST, TARGET_FIRST, TARGET_LABEL = 0 << 3, 1 << 3, 2 << 3
TRAINED = 1 << 5
INPUTS_ONLY = 1 << 6


def csv_seeds():
    seeds = {
        "numeric_labels": (CLASSIFY | TARGET_LABEL, "a,b,label\n1,2,0\n3.5,-4,1\n5,6e-3,0\n"),
        "string_labels": (CLASSIFY, 'x,y,species\n1,2,setosa\n3,4,"virginica"\n5,6,setosa\n'),
        "regression_no_header": (HEADER_FALSE, "0.5,1.5,2\n-1,2,3.25\n\n4,5,6\n"),
        "target_first": (TARGET_FIRST | HEADER_TRUE, "t,u,v\n1,2,3\r\n4,5,6\r\n"),
        "quoted_cells": (CLASSIFY, 'a,"b,c",label\n"1",2,"x ""y"""\n3,4,z\n'),
        "test_file": (CLASSIFY | TRAINED | TARGET_LABEL, "a,b,label\n1,2,0\n3,4,setosa\n"),
        "new_inputs": (INPUTS_ONLY | TRAINED, "b,a\n1,2\n3,4\n"),
        "inputs_with_target": (INPUTS_ONLY | TRAINED | HEADER_FALSE, "1,2,0\n3,4,1\n"),
        "ragged": (CLASSIFY, "a,b,label\n1,2,0\n3,4\n"),
        "big_label": (CLASSIFY, "a,label\n1,16777216\n2,-16777216\n3,1e30\n"),
        "fraction_label": (CLASSIFY, "a,label\n1,0.5\n"),
    }
    for name, (choice, text) in seeds.items():
        write("csv_reader", name, bytes([choice]) + text.encode())


# --- safetensors: 8-byte little-endian header length, JSON header, data -----------------------
def safetensors(tensors, metadata=None, pad=True):
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def safetensors_seeds():
    f32 = struct.pack("<6f", 1, -2, 0.5, 0, float("nan"), 3)
    write("safetensors_decode", "f32", safetensors([("w", "F32", [2, 3], f32)]))
    write("safetensors_decode", "mixed_dtypes", safetensors([
        ("a.f64", "F64", [2], struct.pack("<2d", 1e-3, -7)),
        ("b.f16", "F16", [3], struct.pack("<3H", 0x3C00, 0x8001, 0x7C00)),
        ("c.bf16", "BF16", [1, 2], struct.pack("<2H", 0x3F80, 0xFF81)),
        ("d.scalar", "F32", [], struct.pack("<f", 2.5)),
        ("e.empty", "F32", [0, 4], b""),
    ], metadata={"format": "pt", "note": "seed"}, pad=False))
    write("safetensors_decode", "overlap", safetensors([("x", "F32", [1], f32[:4])])[:-4] + f32[:2])
    write("safetensors_decode", "nested_shape",
          safetensors([("x", "F32", [[[[1]]]], f32[:4])]))


# --- SPEC strings --------------------------------------------------------------------------------
def optimizer_seeds(descent):
    listing = subprocess.run([descent, "train", "--list", "optimizers"], check=True,
                             capture_output=True, text=True).stdout
    for line in listing.splitlines():
        name, _, args = line.partition(" ")
        args = args.strip()
        if not name or name.endswith(":") or " " in args.replace(", ", ",").replace("and its base's", ""):
            continue
        defaults = ",".join(a for a in args.split(", ") if "=" in a)
        write("optimizer_spec", name, name + (":" + defaults if defaults else ""))
    for name, spec in {
        "lookahead_sgd": "lookahead:base=sgd,k=3,alpha=0.5,lr=0.1,momentum=0.9",
        "adam_betas": "adam:lr=1e-2,betas=[0.8,0.99],amsgrad=true,Weight_Decay=0.1",
        "keras_names": "rmsprop:learning_rate=0.01,epsilon=1e-7,rho=0.8,centered=true",
        "lbfgs_wolfe": "lbfgs:lr=1,max_iter=4,history_size=3,line_search_fn=strong_wolfe",
        "bad_key": "sgd:lr=0.1,momentun=0.9",
        # Found by fuzzing: a count past int64 was cast at the first step.
        "lbfgs_huge_max_iter": "lbfgs:lr=1,max_iter=" + "4" * 62
                               + ",history_size=3,line_search_fn=strong_wolfe",
    }.items():
        write("optimizer_spec", name, spec)


SCHEDULES = {
    "step": "step:step_size=2,gamma=0.5",
    "multistep": "multistep:milestones=[1,3,4],gamma=0.1",
    "exponential": "exponential:gamma=0.9",
    "cosine": "cosine:t_max=4,eta_min=1e-5",
    "cosine_restarts": "cosine_restarts:t_0=2,t_mult=2,eta_min=0.001",
    "cyclic": "cyclic:base_lr=0.01,max_lr=0.1,step_size_up=2,mode=exp_range,gamma=0.9",
    "onecycle": "onecycle:max_lr=1,total_steps=5,three_phase=true,anneal_strategy=linear",
    "onecycle_epochs": "onecycle:max_lr=1,epochs=2,steps_per_epoch=3",
    "linear": "linear:start_factor=0.25,end_factor=1,total_iters=3",
    "constant": "constant:factor=0.5,total_iters=2",
    "polynomial": "polynomial:total_iters=4,power=2",
    "multiplicative": "multiplicative:factor=0.95",
    "sequential": "sequential:schedulers=[linear:start_factor=0.1,total_iters=2;cosine:t_max=3],milestones=[2]",
    "chained": "chained:schedulers=[constant:factor=0.5,total_iters=3;exponential:gamma=0.9]",
    "nested": "sequential:schedulers=[chained:schedulers=[step:step_size=1;linear];sequential:schedulers=[constant;cosine:t_max=2],milestones=[1]],milestones=[3]",
    "reduce_on_plateau": "reduce_on_plateau:mode=max,factor=0.5,patience=0,threshold_mode=abs,cooldown=1,min_lr=[0.001]",
    "inverse_time": "inverse_time:decay=0.5,steps_per_epoch=2",
    "inverse_time_decay": "inverse_time_decay:decay_rate=0.5,decay_steps=2,staircase=true",
    "inverse_sqrt": "inverse_sqrt:warmup_steps=2,start_factor=0.1,steps_per_epoch=1",
    "exponential_epoch": "exponential_epoch:gamma=0.5,steps_per_epoch=2",
    "piecewise_constant": "piecewise_constant:boundaries=[1,3],values=[0.1,0.01,0.001]",
    "piecewise_factors": "piecewise_constant:boundaries=[2],factors=[1,0.1]",
    "linear_then_constant": "linear_then_constant:tau=3,final_factor=0.01",
    "linear_warmup": "linear_warmup:warmup_steps=2,start_factor=0.1",
    "unknown_key": "cosine:tmax=3",
}


def schedule_seeds():
    for name, spec in SCHEDULES.items():
        write("schedule_spec", name, spec)


# --- TOML configurations and checkpoints, from two tiny runs -----------------------------------
TINY = ["data.name=spirals", "data.size=40", "data.test_size=10", 'model.layers=["linear:out=4","relu","linear"]',
        "train.epochs=2", "train.batch_size=8", "report.write=false"]
RUNS = {
    "adam_cosine_ema": TINY + ["schedule.name=cosine", "schedule.t_max=2", "ema.decay=0.9"],
    "adam_plateau_early_stopping": TINY + ["optimizer.lr=0.01", "schedule.name=reduce_on_plateau",
                                           "early_stopping.patience=3", "clip.max_norm=1"],
}

CONFIGS = {
    "csv": 'seed = 3\n[data]\nname = "csv"\npath = "data.csv"\ntarget = "label"\ntask = "classification"\n'
           'test_size = 0.25\n[optimizer]\nname = "sgd"\nlr = 0.1\nmomentum = 0.9\nnesterov = true\n',
    "autoencoder": '[model]\nkind = "autoencoder"\nencoder = ["linear:out=8", "relu", "linear"]\ncode = 2\n'
                   '[autoencoder]\nnoise = "gaussian"\nnoise_level = 0.1\n[train]\nloss = "mse"\n',
    "sequential_schedule": '[schedule]\nname = "sequential"\ninterval = "step"\n'
                           'schedulers = ["linear:start_factor=0.1,total_iters=5", "cosine:t_max=95"]\n'
                           'milestones = [5]\n',
    "overrides": '[train]\nepochs = 3\n#overrides\ntrain.batch_size=16\noptimizer.name=adamw\n'
                 'optimizer.weight_decay=0.05\nschedule.name=step\nschedule.step_size=2\n',
    "bad_value": '[train]\nepochs = 2.5\n',
    "loss_spec": '[train]\nloss = "cross_entropy:label_smoothing=0.1,weight=[1,2,1]"\n#overrides\n'
                 'train.loss=multi_margin:p=2,margin=0.5\n',
}


def run_seeds(descent):
    with tempfile.TemporaryDirectory() as tmp:
        for name, sets in RUNS.items():
            out = pathlib.Path(tmp) / name
            args = [descent, "train", "-q", "--out", str(out)]
            for s in sets:
                args += ["--set", s]
            subprocess.run(args, check=True, capture_output=True)
            write("checkpoint_decode", name, (out / "checkpoint.safetensors").read_bytes())
            write("safetensors_decode", name + "_model", (out / "model.safetensors").read_bytes())
            write("config_toml", name, (out / "config.toml").read_bytes())
    for name, text in CONFIGS.items():
        write("config_toml", name, text)


def main():
    descent = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" / "descent")
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    idx_seeds()
    csv_seeds()
    safetensors_seeds()
    optimizer_seeds(descent)
    schedule_seeds()
    run_seeds(descent)
    for harness in sorted(p.name for p in CORPUS.iterdir()):
        print(f"{harness}: {len(list((CORPUS / harness).iterdir()))} seeds")


if __name__ == "__main__":
    main()
