#!/usr/bin/python3
"""Writes the golden .npy/.npz files that core/npy's tests read, and expected.json with the
values numpy itself reports for them.

Run from anywhere with Debian's numpy:  /usr/bin/python3 testdata/npy/make_golden.py
Each array's values are listed in C order as float.hex() strings (exact, and NaN/Inf safe).
"""
import json
import os
import zipfile

import numpy as np
import numpy.lib.format as fmt

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def save_version(name, arr, version):
    with open(path(name), "wb") as f:
        fmt.write_array(f, arr, version=version, allow_pickle=False)


def describe(arr, version=None, fortran=None):
    if fortran is None:
        fortran = bool(arr.flags.f_contiguous and not arr.flags.c_contiguous)
    d = {
        "descr": arr.dtype.str,
        "shape": list(arr.shape),
        "fortran": fortran,
        "values": [float(x).hex() for x in np.ravel(arr, order="C").tolist()],
    }
    if version is not None:
        d["version"] = list(version)
    return d


def header_info(name):
    with open(path(name), "rb") as f:
        version = fmt.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(f)
        else:
            shape, fortran, dtype = fmt.read_array_header_2_0(f)
    return version, fortran


def main():
    files = {}

    def npy(name, arr, version=None):
        if version is None:
            np.save(path(name), arr, allow_pickle=False)
        else:
            save_version(name, arr, version)
        back = np.load(path(name), allow_pickle=False)
        assert back.dtype == arr.dtype and back.shape == arr.shape
        assert np.array_equal(back, arr, equal_nan=arr.dtype.kind == "f")
        v, fortran = header_info(name)
        files[name] = describe(back, v, fortran)

    npy("u8_3x4x4.npy", ((np.arange(48) * 37 + 5) % 256).astype(np.uint8).reshape(3, 4, 4))
    npy("bool_5.npy", np.array([True, False, True, True, False]))
    npy("f32_2x3.npy", np.array([[1.5, -2.25, 3e-8], [-0.0, 3.4e38, np.inf]], dtype=np.float32))
    npy("f64be_2x2.npy", np.array([[np.pi, -1e-300], [np.nan, 2.0**60]], dtype=">f8"))
    npy("f32_v2_3x2.npy", np.arange(6, dtype=np.float32).reshape(3, 2) / 8, version=(2, 0))
    npy("u8_v3_4.npy", np.array([0, 1, 254, 255], dtype=np.uint8), version=(3, 0))
    npy("f64_fortran_2x3.npy", np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3) + 0.5))
    npy("i16_fortran_2x3x4.npy", np.asfortranarray((np.arange(24, dtype=np.int16) - 12).reshape(2, 3, 4) * 1000))
    npy("f64_scalar.npy", np.array(3.25))
    npy("f32_empty_0x3.npy", np.zeros((0, 3), dtype=np.float32))

    npz = {}
    a = np.array([[1, 0, 1], [0, 1, 1]], dtype=np.uint8)
    b = np.linspace(-1, 1, 5).astype(np.float32)
    np.savez(path("two.npz"), a=a, b=b)
    npz["two.npz"] = {"a": describe(a), "b": describe(b)}
    c = (np.arange(8, dtype=np.uint8) % 2).reshape(2, 2, 2)
    d = np.array([[0.25, -4.0]], dtype=np.float64)
    np.savez_compressed(path("two_compressed.npz"), c=c, d=d)
    npz["two_compressed.npz"] = {"c": describe(c), "d": describe(d)}
    for name in npz:
        with zipfile.ZipFile(path(name)) as z:
            methods = sorted({i.compress_type for i in z.infolist()})
        npz[name]["_methods"] = methods  # 0 stored, 8 deflated

    with open(path("expected.json"), "w") as f:
        json.dump({"numpy": np.__version__, "npy": files, "npz": npz}, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
