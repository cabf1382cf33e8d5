package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Devices are refused at once (exit 2), before anything is read.
func TestValidateRefusesDevices(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	start := time.Now()
	code, out, errOut := runCmd(t, "validate", tutorialFile, "/dev/zero")
	if code != exitUsage || out != "" || !strings.Contains(errOut, "/dev/zero: a character device: only regular files, directories, named pipes and - (standard input) are read") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refusing /dev/zero took %v", d)
	}
}

// --max-input-size bounds each input: one over it is an error naming it
// and the limit; sizes read as Kubernetes and people write them.
func TestValidateMaxInputSize(t *testing.T) {
	data, err := os.ReadFile(tutorialFile)
	if err != nil {
		t.Fatal(err)
	}
	size := strconv.Itoa(len(data))
	if code, out, _ := runCmd(t, "validate", "--max-input-size", size, tutorialFile); code != exitFindings {
		t.Errorf("a file of exactly --max-input-size: exit %d\n%s", code, out)
	}
	small := strconv.Itoa(len(data) - 1)
	code, _, errOut := runCmd(t, "validate", "--max-input-size", small, tutorialFile)
	if code != exitUsage || !strings.Contains(errOut, tutorialFile+": larger than the limit of "+small+" bytes on one input: raise it with --max-input-size") {
		t.Errorf("a file one byte over: exit %d, %s", code, errOut)
	}
	var stdout, stderr strings.Builder
	code = run("kubelb-ai", []string{"validate", "--max-input-size", "1Ki", "-"}, IOStreams{In: strings.NewReader(string(data)), Out: &stdout, ErrOut: &stderr})
	if code != exitUsage || !strings.Contains(stderr.String(), "<stdin>: larger than the limit of 1 KiB on one input") {
		t.Errorf("standard input over the limit: exit %d, %s", code, stderr.String())
	}
	for _, ok := range []string{"64Mi", "64MiB", "10MB", "10M", "1048576", "1.5Gi"} {
		if code, _, errOut := runCmd(t, "validate", "--max-input-size", ok, tutorialFile); code == exitUsage {
			t.Errorf("--max-input-size %s: %s", ok, errOut)
		}
	}
	for _, bad := range []string{"0", "-1", "10XB", "big"} {
		if code, _, errOut := runCmd(t, "validate", "--max-input-size", bad, tutorialFile); code != exitUsage || !strings.Contains(errOut, "want a positive size such as 64Mi, 10MB or 1048576") {
			t.Errorf("--max-input-size %s: exit %d, %s", bad, code, errOut)
		}
	}
}
