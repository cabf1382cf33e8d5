package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubelb-ai/kubelb-ai/spec"
)

func dnsLabel(s string) error {
	if errs := validation.IsDNS1123Label(s); len(errs) > 0 {
		return fmt.Errorf("%s", errs[0])
	}
	return nil
}

func dnsSubdomain(s string) error {
	if errs := validation.IsDNS1123Subdomain(s); len(errs) > 0 {
		return fmt.Errorf("%s", errs[0])
	}
	return nil
}

func port(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("a port is a number from 1 to 65535")
	}
	return nil
}

func nonEmpty(what string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("%s is required", what)
		}
		return nil
	}
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func envName(s string) error {
	if !envNameRE.MatchString(s) {
		return fmt.Errorf("a variable name: letters, digits and _, e.g. OPENAI_API_KEY (not the key itself)")
	}
	if looksLikeKey(s) {
		return fmt.Errorf("this looks like a key, not a variable name: type the name of the variable that holds it")
	}
	return nil
}

// looksLikeKey catches a key pasted where its variable's name belongs.
func looksLikeKey(s string) bool {
	if v, ok := os.LookupEnv(s); ok && v != "" {
		return false // a variable that exists is a name
	}
	return len(s) >= 32 && strings.ToUpper(s) != s
}

// optionalRate accepts no limit or N/UNIT, with the units of scope.
func optionalRate(scope string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		_, _, err := spec.ParseLimitRate(s, scope)
		return err
	}
}

func regexLines(text string) error {
	for _, r := range rejects(text) {
		if _, err := regexp.Compile(r); err != nil {
			return fmt.Errorf("%q: %v", r, err)
		}
	}
	return nil
}
