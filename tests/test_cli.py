"""The command line: bad arguments give one line and exit status 2."""

import json
import subprocess
import sys

import pytest

from keras_wass import cli


@pytest.mark.parametrize("argv, text", [
    (["train", "--data", "cifar"], "invalid choice"),
    (["train", "--epochs", "0"], "positive integer"),
    (["train", "--epochs", "-3"], "positive integer"),
    (["train", "--epochs", "ten"], "positive integer"),
    (["train", "--learning-rate", "0"], "positive number"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_exit_2(argv, text, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert text in err and len(err.splitlines()) == 1


def test_unwritable_output_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "keras_wass", "train", "--output", str(blocker / "out")],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "cannot write to output folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_train_writes_pictures_metrics_and_model(tmp_path):
    import keras

    from keras_wass.models import WGANGP

    # Default settings, fewer epochs: the Frechet distance to held-out digits
    # at least halves between the first and the last epoch (it falls about
    # 10x over the default 60 epochs).
    assert cli.main(["train", "--output", str(tmp_path), "--epochs", "6", "--verbose", "0"]) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["data"] == "digits" and metrics["epochs"] == 6
    assert metrics["last_epoch"]["frechet_distance"] <= 0.5 * metrics["first_epoch"]["frechet_distance"]
    for key in ("first_epoch", "last_epoch", "real_train_vs_held_out"):
        assert metrics[key]["frechet_distance"] > 0 and metrics[key]["sliced_wasserstein"] > 0
    assert len(metrics["per_epoch"]["frechet_distance"]) == 6
    assert set(metrics["history"]) == {"critic_loss", "generator_loss", "gradient_penalty", "wasserstein_estimate"}
    for picture in ("samples.png", "curves.png"):
        assert (tmp_path / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    model = keras.saving.load_model(tmp_path / "wgan_gp.keras")
    assert isinstance(model, WGANGP) and model.generate(3).shape == (3, 8, 8, 1)


def test_help_mentions_offline_default(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["train", "--help"])
    assert info.value.code == 0
    assert "digits" in capsys.readouterr().out
