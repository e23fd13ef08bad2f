# The scipy side of the drift benchmark: the same statistics on the same binary files (float64, little-endian).
# Usage: python3 scipy_drift.py REFERENCE_SAMPLE EDGES FRACTIONS CURRENT  -> one JSON line on stdout.
import json, resource, sys, time
import numpy as np
from scipy import stats

t0 = time.perf_counter()
ref = np.fromfile(sys.argv[1], dtype="<f8")
edges = np.fromfile(sys.argv[2], dtype="<f8")
ref_fractions = np.fromfile(sys.argv[3], dtype="<f8")
cur = np.fromfile(sys.argv[4], dtype="<f8")
t1 = time.perf_counter()
# PSI on the reference bins: bin i = number of edges < v (bins are (e[i-1], e[i]]).
counts = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1)
cur_fractions = counts / counts.sum()
r = np.maximum(ref_fractions, 1e-4)
c = np.maximum(cur_fractions, 1e-4)
psi = float(np.sum((c - r) * np.log(c / r)))
t2 = time.perf_counter()
ks = stats.ks_2samp(ref, cur)  # method='auto': 'asymp' here (n > 10,000)
t3 = time.perf_counter()
w1 = stats.wasserstein_distance(ref, cur)
t4 = time.perf_counter()
mean, std = float(cur.mean()), float(cur.std(ddof=1))
t5 = time.perf_counter()
print(json.dumps({
    "n": int(cur.size), "load": t1 - t0, "psi": psi, "psiSeconds": t2 - t1, "d": float(ks.statistic), "p": float(ks.pvalue),
    "ksSeconds": t3 - t2, "w1": float(w1), "w1Seconds": t4 - t3, "momentsSeconds": t5 - t4, "computeSeconds": t5 - t1,
    "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
}))
