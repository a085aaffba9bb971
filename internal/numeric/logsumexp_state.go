package numeric

// State returns the accumulator's running maximum, its sum of exp(x_i − max) and its number
// of terms, so that it can be written out and restored by LogSumExpAccOf (the partial sums of
// a sharded enumeration).
func (a LogSumExpAcc) State() (max, sum float64, n int) { return a.max, a.sum, a.n }

// LogSumExpAccOf returns the accumulator whose State is (max, sum, n).
func LogSumExpAccOf(max, sum float64, n int) LogSumExpAcc {
	return LogSumExpAcc{max: max, sum: sum, n: n}
}
