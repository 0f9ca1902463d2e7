"""The workloads of Performance 2.0 (resnet8, gru2, mlp2048), their variants, the integer
token data, and `tidu bench --scaling`: its table rows, its PNG figure, its clean errors.
Tiny sizes throughout; timings are never asserted."""
import math

import numpy as np
import pytest
from click.testing import CliRunner

from tidu.bench import WORKLOADS
from tidu.bench.harness import (BenchError, make_settings, make_trainer, memory_subprocess,
                                variant_args)
from tidu.bench.scaling import (HEADER, figure_path, make_scaling_settings, markdown_scaling,
                                parse_sizes, plot, run_scaling, tables)
from tidu.bench.workloads import (batches, build_pair, epoch_flops, tokens, variant,
                                  workload_data)
from tidu.cli import main

NEW = ("resnet8", "gru2", "mlp2048")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# --------------------------------------------------------------------------- the workloads
def test_new_workloads_have_the_asked_shapes():
    resnet, gru, wide = (WORKLOADS[n] for n in NEW)
    assert resnet.input_shape == (3, 32, 32) and resnet.batch == 64
    assert gru.input_shape == (64,) and gru.vocab == 64 and gru.batch == 64
    assert wide.input_shape == (784,) and wide.batch == 128
    assert wide.linear_shapes == ((784, 2048), (2048, 2048), (2048, 10))
    assert epoch_flops(wide, 1) == 6 * (784 * 2048 + 2048 * 2048 + 2048 * 10) - 2 * 784 * 2048
    ours, ref = build_pair(resnet)
    convs = [k for k, v in ref.state_dict().items() if k.endswith("weight") and v.dim() == 4]
    assert len(convs) == 9  # 1 stem + 3 blocks × 2 + 2 projection shortcuts
    assert sum(k.endswith("running_mean") for k in ref.state_dict()) == 9  # a BN per conv
    assert set(ours.state_dict()) == set(ref.state_dict())
    ours, ref = build_pair(gru)
    assert ref.gru.num_layers == 2 and ref.gru.hidden_size == 128 and ref.embed.num_embeddings == 64
    assert set(ours.state_dict()) == set(ref.state_dict())


@pytest.mark.parametrize("name", NEW)
def test_one_tiny_epoch_trains_alike_in_both_libraries(name):
    """Same weights, same batches: after an epoch of 2 batches of 8 both last losses are
    finite and close (BatchNorm in training mode included)."""
    workload = variant(WORKLOADS[name], batch=8, samples=16)
    ours, ref = build_pair(workload, seed=1)
    x, y = workload_data(workload, 16, seed=1)
    data = batches(x, y, workload.batch)
    losses = [make_trainer(workload, lib, model, data, "cpu").epoch().item()
              for lib, model in (("tidu", ours), ("torch", ref))]
    assert all(math.isfinite(v) for v in losses)
    assert losses[0] == pytest.approx(losses[1], rel=1e-3, abs=1e-4)


def test_token_data_is_int64_in_range_with_labels_from_the_counts():
    x, y = tokens(512, 64, 64, seed=0)
    assert x.shape == (512, 64) and x.dtype == np.int64 and 0 <= x.min() and x.max() < 64
    assert y.dtype == np.int64 and len(np.unique(y)) >= 5
    assert np.array_equal(tokens(512, 64, 64, seed=0)[1], y)
    x2, y2 = workload_data(WORKLOADS["gru2"], 512, seed=0)
    assert np.array_equal(x2, x) and np.array_equal(y2, y)


def test_variant_changes_batch_samples_and_width_and_rejects_bad_ones():
    mlp = WORKLOADS["mlp"]
    v = variant(mlp, batch=32, width=64, samples=96)
    assert (v.name, v.batch, v.width, v.sizes(True), v.sizes(False)) == ("mlp", 32, 64, 96, 96)
    assert v.linear_shapes == ((784, 64), (64, 64), (64, 10))
    ours, ref = build_pair(v)
    assert tuple(ref.state_dict()["0.weight"].shape) == (64, 784)
    assert variant(mlp) is mlp
    with pytest.raises(ValueError, match="'resnet8' has no hidden width.*width=64"):
        variant(WORKLOADS["resnet8"], width=64)
    with pytest.raises(ValueError, match="batch must be a positive int, got 0"):
        variant(mlp, batch=0)
    assert variant_args(v, quick=True) == ["--batch", "32", "--samples", "96", "--width", "64"]
    assert variant_args(mlp, quick=True) == []


def test_memory_subprocess_rebuilds_a_variant():
    settings = make_settings(["mlp"], pairs=1, warmup=0, threads=1, quick=True)
    memory = memory_subprocess(variant(WORKLOADS["mlp"], batch=16, width=32, samples=32),
                               "tidu", settings)
    assert memory.peak_bytes >= 0 and memory.baseline_bytes > 0


# --------------------------------------------------------------------------- scaling
def test_scaling_rows_markdown_and_a_nonblank_png(tmp_path):
    settings = make_settings(["mlp", "gru2"], pairs=1, warmup=0, threads=1, quick=True,
                             memory=False)
    scaling = make_scaling_settings("mlp,gru2", batch_sizes=(8, 16), widths=(16, 32),
                                    samples=32)
    run = run_scaling(settings, scaling, pairs_given=True, log=lambda m: None)
    rows = tables(run)
    assert [r[:5] for r in rows["mlp"]] == [
        ["batch", "8", "32", "8", "256"], ["batch", "16", "32", "16", "256"],
        ["width", "16", "32", "128", "16"], ["width", "32", "32", "128", "32"]]
    assert [r[:5] for r in rows["gru2"]] == [["batch", "8", "32", "8", "—"],
                                             ["batch", "16", "32", "16", "—"]]
    for row in rows["mlp"] + rows["gru2"]:
        assert len(row) == len(HEADER)
        t_tidu, t_torch, ratio = map(float, row[5:8])
        assert t_tidu > 0 and t_torch > 0 and ratio == pytest.approx(t_tidu / t_torch, rel=0.02)

    png = plot(run, figure_path(tmp_path / "RESULTS.md"))
    assert png == tmp_path / "RESULTS-scaling.png" and png.stat().st_size > 10_000
    from matplotlib import image
    pixels = image.imread(png)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 400 and float(pixels[..., :3].std()) > 0.05

    text = markdown_scaling(run, png.name, pairs=1, warmup=0)
    assert text.startswith("## Scaling") and "![" in text and "(RESULTS-scaling.png)" in text
    assert "### mlp" in text and "### gru2" in text
    assert "| batch | 8 | 32 | 8 | 256 |" in text and "| width | 32 | 32 | 128 | 32 |" in text


def test_bench_with_scaling_writes_the_section_and_the_figure(tmp_path):
    out_md = tmp_path / "R.md"
    out = invoke("bench", "mlp", "--quick", "--pairs", 1, "--warmup", 0, "--threads", 1,
                 "--scaling", "gru2", "--scaling-batches", 16,
                 "--out", out_md)
    assert out.exit_code == 0, out.output
    assert "scaling of gru2:" in out.output
    text = out_md.read_text(encoding="utf-8")
    assert "## Results" in text and "## Scaling" in text and "(R-scaling.png)" in text
    row = next(line for line in text.splitlines() if line.startswith("| batch | 16 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert all(math.isfinite(float(c)) for c in cells[5:])  # times, ratio, both peak MB
    assert (tmp_path / "R-scaling.png").stat().st_size > 10_000
    assert "--scaling gru2 --scaling-batches 16`" in text


@pytest.mark.parametrize("args, message", [
    (("--scaling", "mlp,nope"), "--scaling: unknown workload 'nope'; choose from mlp,"),
    (("--scaling", ","), "--scaling expects WORKLOAD[,WORKLOAD…] from mlp,"),
    (("--scaling", "mlp", "--scaling-batches", "32,x"),
     "--scaling-batches expects positive integers separated by commas, got '32,x'"),
    (("--scaling", "mlp", "--scaling-widths", "0"),
     "--scaling-widths expects positive integers separated by commas, got '0'"),
    (("--scaling", "mlp", "--scaling-batches", ""),
     "--scaling-batches expects positive integers separated by commas, got ''"),
])
def test_bad_scaling_arguments_are_one_clear_usage_error(args, message):
    out = invoke("bench", "mlp", "--quick", *args)
    assert out.exit_code == 2 and message in out.output, out.output
    assert "Traceback" not in out.output


def test_scaling_settings_reject_bad_values():
    with pytest.raises(BenchError, match="unknown workloads 'a', 'b'"):
        make_scaling_settings(["a", "b"])
    with pytest.raises(BenchError, match="scaling batch sizes must be positive integers"):
        make_scaling_settings("mlp", batch_sizes=(0,))
    assert parse_sizes("64,32,64", "--x") == (32, 64)
    quick, full = make_scaling_settings("mlp", quick=True), make_scaling_settings("mlp")
    assert (quick.batch_sizes, quick.widths) == ((32, 64), (256, 512))
    assert (full.batch_sizes, full.widths) == ((32, 64, 128, 256, 512), (256, 512, 1024, 2048))
