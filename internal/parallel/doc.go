// Package parallel shares the passes of ridgeline's O(N) loops over large
// arrays between two goroutines: the machines the toolkit is measured on
// have two cores, and a pass over 10^6 samples takes milliseconds, so one
// split in two halves is worth its goroutine while finer splits are not.
//
// A pass is cut into Parts(n) spans of nearly equal length; Run calls a
// function once per part, the first on the calling goroutine, and returns
// when all have returned.
package parallel
