//go:build !amd64 || purego

package linalg

// packAcrossAsm packs nothing: this build has no assembly.
func packAcrossAsm[T float](panel, src []T, ld, kc, n, w int) (rows, steps int) { return 0, 0 }
