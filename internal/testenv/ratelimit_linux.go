package testenv

import "syscall"

// childAttr makes the kernel kill a server the tests started if the test
// binary dies before its cleanup runs.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
