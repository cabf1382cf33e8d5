package main

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

func (p *prompter) choose(q *question) error {
	def := 0
	for i, o := range q.options {
		fmt.Fprintf(p.out, "  %d. %s\n", i+1, o.label)
		if o.value == *q.str {
			def = i + 1
		}
	}
	if def > 0 {
		// An empty value (the data plane's default) is named by its label.
		keeps := *q.str
		if keeps == "" {
			keeps, _, _ = strings.Cut(q.options[def-1].label, ":")
		}
		fmt.Fprintf(p.out, "  Type a number from 1 to %d. Enter keeps: %d, %s\n", len(q.options), def, keeps)
	} else {
		fmt.Fprintf(p.out, "  Type a number from 1 to %d\n", len(q.options))
	}
	s, err := p.line()
	if err != nil {
		return err
	}
	if s == "" && def > 0 {
		return nil
	}
	i, err := q.pick(s)
	if err != nil {
		return bad(err)
	}
	*q.str = q.options[i].value
	return nil
}

// pick takes an option's number or value.
func (q *question) pick(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(q.options) {
		return n - 1, nil
	}
	if i := slices.IndexFunc(q.options, func(o option) bool { return strings.EqualFold(o.value, s) }); i >= 0 {
		return i, nil
	}
	return 0, fmt.Errorf("%q is not a number from 1 to %d", s, len(q.options))
}

func (p *prompter) chooseMany(q *question) error {
	for i, o := range q.options {
		mark := " "
		if slices.Contains(*q.strs, o.value) {
			mark = "x"
		}
		fmt.Fprintf(p.out, "  %d. [%s] %s\n", i+1, mark, o.label)
	}
	empty := q.checkAll == nil || q.checkAll(nil) == nil
	fmt.Fprintf(p.out, "  Type the numbers of all you want, e.g. 1,3. Enter keeps: %s", cmp.Or(strings.Join(*q.strs, ", "), "none"))
	if empty && len(*q.strs) > 0 {
		fmt.Fprint(p.out, "; - for none")
	}
	fmt.Fprintln(p.out)
	s, err := p.line()
	if err != nil {
		return err
	}
	chosen := slices.Clone(*q.strs)
	switch s {
	case "":
	case "-":
		chosen = nil
	default:
		chosen = nil
		for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
			i, err := q.pick(f)
			if err != nil {
				return bad(err)
			}
			if !slices.Contains(chosen, q.options[i].value) {
				chosen = append(chosen, q.options[i].value)
			}
		}
		// In the options' order, as the terminal form gives them.
		slices.SortStableFunc(chosen, func(a, b string) int {
			return slices.IndexFunc(q.options, func(o option) bool { return o.value == a }) -
				slices.IndexFunc(q.options, func(o option) bool { return o.value == b })
		})
	}
	if q.checkAll != nil {
		if err := q.checkAll(chosen); err != nil {
			return bad(err)
		}
	}
	*q.strs = chosen
	return nil
}

func (p *prompter) confirm(q *question) error {
	def := "n, " + q.negate
	if *q.yes {
		def = "y, " + q.affirm
	}
	fmt.Fprintf(p.out, "  y: %s\n  n: %s\n  Type y or n. Enter keeps: %s\n", q.affirm, q.negate, def)
	s, err := p.line()
	if err != nil {
		return err
	}
	switch strings.ToLower(s) {
	case "":
	case "y", "yes":
		*q.yes = true
	case "n", "no":
		*q.yes = false
	default:
		return bad(fmt.Errorf("%q is neither y nor n", s))
	}
	return nil
}
