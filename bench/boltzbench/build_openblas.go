//go:build unix && openblas && cgo

package main

// build names the matrix-product backend this binary was built with.
const build = "openblas"
