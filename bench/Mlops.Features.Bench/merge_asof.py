"""pandas reference for the point-in-time join (bench/Mlops.Features.Bench): merge_asof backward by entity, exact
matches allowed, tolerance = the view's TTL. Reads features.csv and requests.csv (times as Unix nanoseconds), times the
join (sorting included, CSV parsing excluded), writes pandas.csv in request order."""
import sys, time, json
import pandas as pd

work, ttl_days = sys.argv[1], float(sys.argv[2])
features = pd.read_csv(f"{work}/features.csv", dtype={"origin": str, "t": "int64", "delay_mean_7d": "float64"}, keep_default_na=False, na_values=[""], float_precision="round_trip")
requests = pd.read_csv(f"{work}/requests.csv", dtype={"origin": str, "t": "int64"}, keep_default_na=False)
features["t"] = pd.to_datetime(features["t"], unit="ns")
requests["t"] = pd.to_datetime(requests["t"], unit="ns")
requests["i"] = range(len(requests))

start = time.perf_counter()
right = features.sort_values("t", kind="stable")  # ties keep file (source) order: the last one wins, as in the store
left = requests.sort_values("t", kind="stable")
joined = pd.merge_asof(left, right, on="t", by="origin", direction="backward", allow_exact_matches=True,
                       tolerance=pd.Timedelta(days=ttl_days))
joined = joined.sort_values("i")
seconds = time.perf_counter() - start

joined[["i", "delay_mean_7d"]].to_csv(f"{work}/pandas.csv", index=False, float_format="%.17g")
print(json.dumps({"pandasSeconds": seconds, "rows": len(requests), "pandasRowsPerSecond": len(requests) / seconds, "pandas": pd.__version__}))
