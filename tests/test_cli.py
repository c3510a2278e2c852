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


def test_train_writes_metrics(tmp_path):
    assert cli.main(["train", "--output", str(tmp_path), "--epochs", "1"]) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics
