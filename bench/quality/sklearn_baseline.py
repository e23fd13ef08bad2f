#!/usr/bin/python3
"""scikit-learn's defaults on the split our pipeline used (bench/quality/run.sh).

Reads the folder Mlops.Quality.Bench wrote (data.csv = the canonical CSV our ingestion produced, schema.json, split.json)
and the same project spec, builds the same features (numbers mean-imputed, categories one-hot, dates as year, month,
day, day of week, day of year and hour when present, free text left out) and prints one JSON line per model:
RandomForest (300 trees), HistGradientBoosting and logistic/ridge regression, scored on the same holdout rows.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import f1_score, mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def main(folder, spec_json):
    spec = json.loads(spec_json)
    schema = json.load(open(f"{folder}/schema.json"))["columns"]
    split = json.load(open(f"{folder}/split.json"))
    kinds = {c["name"]: c["kind"] for c in schema}
    data = pd.read_csv(f"{folder}/data.csv", dtype={n: str for n, k in kinds.items() if k != "numeric"}, keep_default_na=False, na_values={n: [""] for n in kinds})
    target, task = spec["target"], spec["task"]
    ignore = set(spec.get("ignore", []))
    features = [n for n, k in kinds.items() if n != target and n not in ignore and k != "text"]

    numeric, categorical = [], []
    x = pd.DataFrame(index=data.index)
    for name in features:
        kind = kinds[name]
        if kind == "date":
            raw = data[name].astype("string")
            parsed = pd.to_datetime(raw.str.slice(0, 19), errors="coerce", format="mixed")
            parts = {"year": parsed.dt.year, "month": parsed.dt.month, "day": parsed.dt.day,
                     "dayOfWeek": (parsed.dt.dayofweek + 1) % 7, "dayOfYear": parsed.dt.dayofyear}
            if raw.str.len().max() > 10:
                parts["hour"] = parsed.dt.hour
            for part, values in parts.items():
                x[f"{name}.{part}"] = values.astype(float)
                numeric.append(f"{name}.{part}")
        elif kind in ("numeric", "boolean"):
            x[name] = data[name].map({"true": 1.0, "false": 0.0}) if kind == "boolean" else data[name].astype(float)
            numeric.append(name)
        else:
            x[name] = data[name].fillna("")
            categorical.append(name)

    labelled = data[target].notna()
    train = [i for i in split["train"] if labelled[i]]
    holdout = [i for i in split["holdout"] if labelled[i]]
    y = data[target] if task != "regression" else data[target].astype(float)

    def prep(scale):
        num = make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()) if scale else SimpleImputer(strategy="mean")
        return ColumnTransformer([("num", num, numeric), ("cat", OneHotEncoder(handle_unknown="ignore"), categorical)])

    if task == "regression":
        models = {"RandomForest(300)": (RandomForestRegressor(n_estimators=300, random_state=42, n_jobs=2), False),
                  "HistGradientBoosting": (HistGradientBoostingRegressor(random_state=42), False),
                  "Ridge": (Ridge(), True)}
    else:
        models = {"RandomForest(300)": (RandomForestClassifier(n_estimators=300, random_state=42, n_jobs=2), False),
                  "HistGradientBoosting": (HistGradientBoostingClassifier(random_state=42), False),
                  "LogisticRegression": (LogisticRegression(max_iter=5000), True)}

    for name, (model, scale) in models.items():
        pipe = make_pipeline(prep(scale), model)
        started = time.perf_counter()
        pipe.fit(x.iloc[train], y.iloc[train])
        seconds = time.perf_counter() - started
        predicted = pipe.predict(x.iloc[holdout])
        actual = y.iloc[holdout]
        if task == "regression":
            metric, value = "rmse", float(np.sqrt(mean_squared_error(actual, predicted)))
        else:
            metric, value = "macroF1", float(f1_score(actual, predicted, average="macro"))
        print(json.dumps({"model": name, "metric": metric, "value": round(value, 4), "fitSeconds": round(seconds, 2)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
