//go:build !race

package mlpserve

const raceEnabled = false
