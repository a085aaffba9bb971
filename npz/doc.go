// Package npz reads and writes numpy's .npy and .npz files, so that models and data sets saved
// by boltz open directly in numpy (numpy.load) and files written by numpy load here.
//
// # The .npy format
//
// The format is specified in numpy's enhancement proposal NEP 1, "A simple file format for NumPy
// arrays", and in the documentation of the numpy.lib.format module. A .npy file is
//
//	magic     6 bytes  "\x93NUMPY"
//	version   2 bytes  major, minor: 1.0, 2.0 or 3.0
//	hlen      uint16 little-endian (version 1.0) or uint32 little-endian (2.0, 3.0)
//	header    hlen bytes: a Python dict literal, padded with spaces and ended by '\n', e.g.
//	          {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
//	data      product(shape) elements of the dtype named by descr, in C (row-major) order,
//	          or in Fortran (column-major) order when fortran_order is True
//
// descr is a byte-order character ('<' little-endian, '>' big-endian, '|' not applicable, '='
// native), a kind ('f' float, 'i' signed integer, 'u' unsigned integer, 'b' boolean) and a size
// in bytes. Version 2.0 only widens hlen; version 3.0 allows UTF-8 in the header. numpy pads the
// header so that the data starts at a multiple of 64 bytes; this package does the same.
//
// # The .npz format
//
// A .npz file is a zip archive whose members are .npy files, one per array, named after the
// array with a ".npy" suffix (numpy.savez). numpy.load returns them keyed without the suffix.
// Other members, such as boltz's meta.json, are kept as raw bytes.
//
// # What is supported
//
// Arrays are held in memory as float64 whatever their stored dtype. Reading accepts f4, f8, i1,
// i2, i4, i8, u1, u2, u4, u8 and b1 in either byte order and either memory order; integers of
// magnitude above 2^53 are rounded to the nearest float64. Object, string, complex, structured
// and datetime dtypes are rejected with an error. Writing checks that every value converts
// exactly to an integer or boolean dtype, and writes archives byte for byte reproducibly.
//
// Every reader validates its input: malformed, truncated or implausibly large input returns an
// error (a *FormatError for malformed data) and never panics, and memory is allocated only as
// the bytes actually arrive, so a short file that declares a huge shape fails fast.
package npz
