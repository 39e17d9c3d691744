"""Writes the .npy fixtures read by KeelDataTests/NPYArrayTests.swift, with NumPy's own writer.

Run from this directory: python3 make_npy_fixtures.py  (NumPy >= 1.17). Values are exact binary
fractions so the Swift test can compare bit for bit.
"""
import numpy as np

np.save("f4_2x3.npy", np.arange(6, dtype="<f4").reshape(2, 3) / 4)
np.save("f8_vector.npy", np.array([0.5, -1.25, 3.0, 1e-300], dtype="<f8"))
np.save("f8_scalar.npy", np.array(2.5, dtype="<f8"))
np.save("f4_2x3x4.npy", (np.arange(24, dtype="<f4") - 12).reshape(2, 3, 4) / 8)
np.save("f4_fortran.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
np.save("f4_bigendian.npy", np.arange(3, dtype=">f4"))
np.save("i4_vector.npy", np.arange(3, dtype="<i4"))
np.lib.format.write_array(open("f8_v2.npy", "wb"), np.arange(4, dtype="<f8") / 2, version=(2, 0))
np.lib.format.write_array(open("f4_v3.npy", "wb"), np.arange(4, dtype="<f4") / 2, version=(3, 0))
