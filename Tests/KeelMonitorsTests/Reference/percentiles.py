# Expected values for GradientNormTracker percentiles: numpy.percentile with the default
# ("linear") method. Run: python3 percentiles.py > percentiles.json
import json
import numpy as np

cases = [
    [3.0],
    [1.0, 2.0],
    [5.0, 1.0, 4.0, 2.0, 3.0],
    [0.3, 7.5, 1.25, 2.0, 9.0, 0.01, 4.4, 3.3, 6.1, 2.2, 5.5],
    [float(np.exp(0.1 * i)) for i in range(37)],
]
qs = [0, 1, 10, 25, 33.3, 50, 75, 90, 99, 100]
out = [{"values": c, "q": qs, "expected": [float(np.percentile(c, q)) for q in qs], "mean": float(np.mean(c))} for c in cases]
print(json.dumps(out, indent=1))
