# Produces the reference figures pasted into StatisticsTests.cs. Run once by hand with Debian's python3-scipy:
#   /usr/bin/python3 tests/Mlops.Monitoring.Tests/scipy_reference.py
# (not part of the test run; the tests hold the printed numbers).
import numpy as np
import scipy
from scipy import stats, special

print("scipy", scipy.__version__, "numpy", np.__version__)
rng = np.random.default_rng(7)
a = np.round(rng.normal(0, 1, 25), 2)
b = np.round(rng.normal(0.6, 1.2, 18), 2)
c = np.round(rng.normal(0, 1, 20), 2)
d = np.round(rng.normal(0.9, 1, 20), 2)
e = np.round(rng.normal(0, 1, 300), 3)
f = np.round(rng.normal(0.25, 1, 200), 3)
def arr(name, x):
    print(f"private static readonly double[] {name} = [{', '.join(repr(float(v)) for v in x)}];")
for name, x in [("A", a), ("B", b), ("C", c), ("D", d), ("E", e), ("F", f)]:
    arr(name, x)
for name, x, y in [("AB", a, b), ("CD", c, d), ("EF", e, f)]:
    r = stats.ks_2samp(x, y, method="exact")
    print(f"ks {name}: D={r.statistic!r} p={r.pvalue!r} w1={stats.wasserstein_distance(x, y)!r}")
for dd, n1, n2 in [(0.05, 2000, 1_000_000), (0.031, 2000, 50_000), (0.1, 2000, 20_000), (0.02, 1500, 10_001)]:
    en = n1 * n2 / (n1 + n2)
    lam = (np.sqrt(en) + 0.12 + 0.11 / np.sqrt(en)) * dd
    print(f"asymp d={dd} n1={n1} n2={n2}: kstwobign.sf={stats.kstwobign.sf(lam)!r} scipy_asymp={stats.kstwo.sf(dd, np.round(en))!r}")
for lam in [0.3, 0.6, 0.9, 1.0, 1.2, 2.0, 3.5]:
    print(f"kstwobign.sf({lam})={stats.kstwobign.sf(lam)!r}")
ref = np.array([120, 45, 30, 5, 0])
cur = np.array([80, 60, 20, 9, 4])
chi, p, dof, _ = stats.chi2_contingency(np.vstack([ref, cur]), correction=False)
print(f"chi2 homogeneity: stat={chi!r} p={p!r} dof={dof}")
ref2 = np.array([500, 300, 200])
cur2 = np.array([50, 28, 22])
chi, p, dof, _ = stats.chi2_contingency(np.vstack([ref2, cur2]), correction=False)
print(f"chi2 homogeneity 2: stat={chi!r} p={p!r} dof={dof}")
for aa, xx in [(0.5, 0.1), (1.5, 4.0), (2.5, 30.0), (10.0, 3.0), (10.0, 25.0), (50.0, 49.0), (0.5, 60.0)]:
    print(f"gammaincc({aa}, {xx})={special.gammaincc(aa, xx)!r}")
for st, k in [(150.0, 3), (3.2, 4), (0.5, 1)]:
    print(f"chi2.sf({st}, {k})={stats.chi2.sf(st, k)!r}")
for xx in [0.3, 1.0, 4.5, 17.25, 170.5]:
    print(f"gammaln({xx})={special.gammaln(xx)!r}")
rf = np.array([0.1, 0.2, 0.3, 0.4]); cf = np.array([0.15, 0.25, 0.35, 0.25])
print("psi", repr(float(np.sum((cf - rf) * np.log(cf / rf)))))
