//go:build !race

package crd

// raceEnabled is set when testing with -race, which makes evaluating CEL
// several times slower: corpus-wide tests then check a sample.
const raceEnabled = false
