"""descent.train and descent.load_run: a run as the command makes it, read back as Python
objects; settings as dicts, dotted keys or a TOML file; errors as Python exceptions."""
import json
import os

import numpy
import pytest

import descent

# A small synthetic job: spirals, one thread, no report, a few epochs (well under a second).
SMALL = {"data": {"name": "spirals", "size": 300, "test_size": 100}, "threads": 1,
         "model.layers": ["linear:out=16", "tanh", "linear"], "report.write": False,
         "optimizer": {"name": "adam", "lr": 0.02}}


def test_train_returns_history_summary_and_weights(tmp_path):
    run = descent.train(SMALL, out=tmp_path / "run", **{"train.epochs": 3, "seed": 5})
    assert run.stop_reason == "completed"
    assert [e["epoch"] for e in run.history] == [1, 2, 3]
    assert run.history[-1]["train_loss"] < run.history[0]["train_loss"]
    assert run.summary["epochs"] == 3 and 0 <= run.summary["test_accuracy"] <= 1
    assert {k: v.shape for k, v in run.weights.items()} == {
        "0.weight": (16, 2), "0.bias": (16,), "2.weight": (3, 16), "2.bias": (3,)}
    assert run.config["seed"] == 5 and run.config["optimizer"]["lr"] == 0.02
    assert run.metric("val_loss") == [e["val_loss"] for e in run.history]
    # What was returned is what the directory holds.
    again = descent.load_run(run.dir)
    assert again.history == run.history and again.summary == run.summary
    for name, w in run.weights.items():
        numpy.testing.assert_array_equal(again.weights[name], w)
    with open(os.path.join(run.dir, "summary.json")) as f:
        assert json.load(f)["test_loss"] == run.summary["test_loss"]


def test_the_same_settings_as_a_toml_file_train_the_same_weights(tmp_path):
    from_dict = descent.train(SMALL, out=tmp_path / "a", **{"train.epochs": 2})
    config = tmp_path / "small.toml"
    config.write_text("""threads = 1
[data]
name = "spirals"
size = 300
test_size = 100
[model]
layers = ["linear:out=16", "tanh", "linear"]
[report]
write = false
[optimizer]
name = "adam"
lr = 0.02
""")
    from_file = descent.train(config, out=tmp_path / "b", train={"epochs": 2})
    for name, w in from_dict.weights.items():
        numpy.testing.assert_array_equal(from_file.weights[name], w)


def test_resume_continues_to_more_epochs(tmp_path):
    run = descent.train(SMALL, out=tmp_path / "run", **{"train.epochs": 2})
    longer = descent.train(resume=run.dir, **{"train.epochs": 4})
    assert [e["epoch"] for e in longer.history] == [1, 2, 3, 4]
    straight = descent.train(SMALL, out=tmp_path / "straight", **{"train.epochs": 4})
    for name, w in straight.weights.items():
        numpy.testing.assert_array_equal(longer.weights[name], w)


def test_bad_settings_raise_with_descents_messages(tmp_path):
    with pytest.raises(KeyError, match="unknown key 'train.epoch'.*did you mean 'epochs'"):
        descent.train(SMALL, out=tmp_path / "a", **{"train.epoch": 3})
    with pytest.raises(KeyError, match="unknown optimizer 'adamm'"):
        descent.train(SMALL, out=tmp_path / "b", optimizer={"name": "adamm"})
    with pytest.raises(ValueError, match="train.epochs"):
        descent.train(SMALL, out=tmp_path / "c", **{"train.epochs": -1})
    with pytest.raises(FileNotFoundError, match="no such configuration file"):
        descent.train(tmp_path / "missing.toml")
    with pytest.raises(OSError, match="missing.csv"):
        descent.train(SMALL, out=tmp_path / "d",
                      data={"name": "csv", "path": str(tmp_path / "missing.csv")})
    assert not (tmp_path / "a").exists() and not (tmp_path / "c").exists()


def test_load_run_refuses_what_is_not_a_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such run directory"):
        descent.load_run(tmp_path / "nothing")
    with pytest.raises(FileNotFoundError, match="not a descent run directory"):
        descent.load_run(tmp_path)
