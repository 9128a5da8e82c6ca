"""descent.optimize, descent.schedule and the test functions: the numbers the commands print."""
import csv
import io
import subprocess

import numpy
import pytest

import descent


def command_csv(descent_bin, *args):
    out = subprocess.run([descent_bin, *args], check=True, capture_output=True, text=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def test_optimize_gives_the_paths_descent_optimize_prints(descent_bin):
    specs = ["adam:lr=0.05", "sgd:lr=0.001,momentum=0.9"]
    paths = descent.optimize("rosenbrock", specs, steps=200)
    assert list(paths) == specs
    for spec in specs:
        rows = command_csv(descent_bin, "optimize", "--function", "rosenbrock", "--optimizer",
                           spec, "--steps", "200")
        p = paths[spec]
        assert p.xy.shape == (201, 2) and not p.diverged
        numpy.testing.assert_allclose(p.xy[:, 0], [float(r["x"]) for r in rows], rtol=1e-6)
        numpy.testing.assert_allclose(p.xy[:, 1], [float(r["y"]) for r in rows], rtol=1e-6)
        numpy.testing.assert_allclose(p.loss, [float(r["loss"]) for r in rows], rtol=1e-5)
        assert p.loss[-1] < p.loss[0]


def test_optimize_from_a_start_with_noise_is_seeded():
    a = descent.optimize("saddle", "sgd:lr=0.1", 50, start=(1, 0), gradient_noise=0.01, seed=3)
    b = descent.optimize("saddle", "sgd:lr=0.1", 50, start=(1, 0), gradient_noise=0.01, seed=3)
    c = descent.optimize("saddle", "sgd:lr=0.1", 50, start=(1, 0), gradient_noise=0.01, seed=4)
    key = "sgd:lr=0.1"
    assert a[key].xy[0].tolist() == [1, 0]
    numpy.testing.assert_array_equal(a[key].xy, b[key].xy)
    assert not numpy.array_equal(a[key].xy, c[key].xy)
    with pytest.raises(KeyError, match="unknown function 'rosenbrok'"):
        descent.optimize("rosenbrok", "sgd", 10)
    with pytest.raises(KeyError, match="unknown optimizer"):
        descent.optimize("rosenbrock", "sgdd", 10)


def test_schedule_gives_the_values_descent_schedule_prints(descent_bin):
    spec = "onecycle:max_lr=0.1,total_steps=50"
    lr, momentum = descent.schedule(spec, lr=0.1, steps=50, momentum=True)
    rows = command_csv(descent_bin, "schedule", "--spec", spec, "--lr", "0.1", "--steps", "50")
    numpy.testing.assert_allclose(lr, [float(r["lr"]) for r in rows], rtol=1e-12)
    numpy.testing.assert_allclose(momentum, [float(r["beta1" if "beta1" in r else "momentum"])
                                             for r in rows], rtol=1e-12)
    assert descent.schedule("cosine:t_max=10", 0.1, 5, momentum=True)[1] is None
    plateau = descent.schedule("reduce_on_plateau:patience=0", 1.0, 4, metrics=[1, 1, 1])
    numpy.testing.assert_allclose(plateau, [1.0, 1.0, 0.1, 0.01])
    with pytest.raises(ValueError, match="needs at least 3 metrics"):
        descent.schedule("reduce_on_plateau", 1.0, 4)


def test_functions_and_their_values():
    names = [f["name"] for f in descent.functions()]
    assert "rosenbrock" in names and len(names) >= 8
    rosenbrock = next(f for f in descent.functions() if f["name"] == "rosenbrock")
    assert rosenbrock["start"] == (-1.2, 1.0) and rosenbrock["minima"][0][:2] == (1.0, 1.0)
    x, y = numpy.meshgrid(numpy.array([1.0, -1.2]), numpy.array([1.0, 0.0]))
    values = descent.evaluate("rosenbrock", x, y)
    assert values.shape == (2, 2)
    numpy.testing.assert_allclose(values, (1 - x) ** 2 + 100 * (y - x ** 2) ** 2, rtol=1e-5)


def test_plot_paths_draws_the_race_as_descent_optimize_does(tmp_path):
    specs = ["sgd:lr=0.001,momentum=0.9", "adam:lr=0.05"]
    paths = descent.optimize("rosenbrock", specs, steps=50)
    svg = tmp_path / "race.svg"
    descent.plot_paths("rosenbrock", paths, svg, grid=40)
    text = svg.read_text()
    assert text.lstrip().startswith("<svg") or text.lstrip().startswith("<?xml")
    for spec in specs:
        assert spec in text  # the legend names every path
    assert "gradient norm" in text and "descent.plot_paths: rosenbrock" in text
    page = tmp_path / "race.html"
    descent.plot_paths("rosenbrock", paths, page, grid=40)
    assert "adam:lr=0.05" in page.read_text()
    with pytest.raises(ValueError, match="race.txt"):
        descent.plot_paths("rosenbrock", paths, tmp_path / "race.txt")
    assert not (tmp_path / "race.txt").exists()
