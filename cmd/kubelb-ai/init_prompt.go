package main

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/huh"
)

// A question is one of the wizard's questions. On a terminal it becomes a
// huh field; in accessible mode prompter asks it as plain lines, showing
// the current value as the default that Enter keeps. (huh's own accessible
// mode shows no default, checks an empty answer before taking the default,
// and toggles a multi-select's preselection.)
type question struct {
	kind           questionKind
	title, desc    string
	descFunc       func() string // on a terminal only: redrawn as the value changes
	str            *string
	strs           *[]string
	yes            *bool
	options        []option
	placeholder    string
	suggestions    []string
	blank          string // what an empty answer means ("none", a provider's host)
	affirm, negate string
	check          func(string) error
	checkAll       func([]string) error
}

type questionKind int

const (
	inputQ questionKind = iota
	textQ
	selectQ
	multiQ
	confirmQ
)

type option struct{ label, value string }

func (q *question) field() huh.Field {
	switch q.kind {
	case selectQ:
		var opts []huh.Option[string]
		for _, o := range q.options {
			opts = append(opts, huh.NewOption(o.label, o.value))
		}
		return huh.NewSelect[string]().Title(q.title).Description(q.desc).Options(opts...).Value(q.str)
	case multiQ:
		var opts []huh.Option[string]
		for _, o := range q.options {
			opts = append(opts, huh.NewOption(o.label, o.value).Selected(slices.Contains(*q.strs, o.value)))
		}
		f := huh.NewMultiSelect[string]().Title(q.title).Description(q.desc).Options(opts...).Value(q.strs)
		if q.checkAll != nil {
			f = f.Validate(q.checkAll)
		}
		return f
	case confirmQ:
		return huh.NewConfirm().Title(q.title).Description(q.desc).Affirmative(q.affirm).Negative(q.negate).Value(q.yes)
	case textQ:
		f := huh.NewText().Title(q.title).Value(q.str)
		if q.descFunc != nil {
			f = f.DescriptionFunc(q.descFunc, q.str)
		} else {
			f = f.Description(q.desc)
		}
		if q.check != nil {
			f = f.Validate(q.check)
		}
		return f
	default:
		f := huh.NewInput().Title(q.title).Description(q.desc).Value(q.str)
		if q.placeholder != "" {
			f = f.Placeholder(q.placeholder)
		}
		if len(q.suggestions) > 0 {
			f = f.Suggestions(q.suggestions)
		}
		if q.check != nil {
			f = f.Validate(q.check)
		}
		return f
	}
}

// prompter asks questions line by line for screen readers. One reader
// serves every question, so answers typed ahead or piped in are not lost
// between questions.
type prompter struct {
	in  *bufio.Reader
	out io.Writer
}

func newPrompter(streams IOStreams) *prompter {
	return &prompter{in: bufio.NewReader(streams.In), out: streams.Out}
}

// line reads one answer; the end of the input cancels the wizard rather
// than taking the defaults of the questions left.
func (p *prompter) line() (string, error) {
	fmt.Fprint(p.out, "> ")
	s, err := p.in.ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || s == "") {
		fmt.Fprintln(p.out)
		if errors.Is(err, io.EOF) {
			return "", huh.ErrUserAborted
		}
		return "", err
	}
	return strings.TrimSpace(s), nil
}

func (p *prompter) ask(q *question) error {
	for {
		fmt.Fprintln(p.out, q.title)
		if q.desc != "" {
			for _, l := range strings.Split(q.desc, "\n") {
				fmt.Fprintln(p.out, "  "+l)
			}
		}
		var err error
		switch q.kind {
		case selectQ:
			err = p.choose(q)
		case multiQ:
			err = p.chooseMany(q)
		case confirmQ:
			err = p.confirm(q)
		case textQ:
			err = p.text(q)
		default:
			err = p.input(q)
		}
		var bad badAnswer
		if !errors.As(err, &bad) {
			if err == nil {
				fmt.Fprintln(p.out)
			}
			return err
		}
		fmt.Fprintf(p.out, "Not accepted: %s\n\n", bad.error)
	}
}

// badAnswer is an answer the question refuses: it is asked again.
type badAnswer struct{ error }

func bad(err error) error { return badAnswer{err} }

// optional says whether a blank answer is valid: then "-" gives it.
func (q *question) optional() bool { return q.check == nil || q.check("") == nil }

func (p *prompter) input(q *question) error {
	def := *q.str
	switch {
	case def != "" && q.optional():
		fmt.Fprintf(p.out, "  Enter keeps: %s; - for %s\n", def, cmp.Or(q.blank, "none"))
	case def != "":
		fmt.Fprintf(p.out, "  Enter keeps: %s\n", def)
	case q.blank != "":
		fmt.Fprintf(p.out, "  Enter keeps: %s\n", q.blank)
	default:
		fmt.Fprintln(p.out, "  No default: type an answer")
	}
	if len(q.suggestions) > 0 {
		fmt.Fprintf(p.out, "  For example: %s\n", strings.Join(q.suggestions, ", "))
	}
	s, err := p.line()
	if err != nil {
		return err
	}
	switch {
	case s == "":
		s = def
	case s == "-" && q.optional():
		s = ""
	}
	if q.check != nil {
		if err := q.check(s); err != nil {
			return bad(err)
		}
	}
	*q.str = s
	return nil
}

func (p *prompter) text(q *question) error {
	def := *q.str
	keeps := cmp.Or(strings.Join(rejects(def), ", "), q.blank, "none")
	fmt.Fprintf(p.out, "  One per line, an empty line ends. Enter keeps: %s", keeps)
	if def != "" {
		fmt.Fprintf(p.out, "; - for %s", cmp.Or(q.blank, "none"))
	}
	fmt.Fprintln(p.out)
	var lines []string
	for {
		s, err := p.line()
		if err != nil {
			return err
		}
		if s == "" {
			break
		}
		if s == "-" && len(lines) == 0 {
			lines = []string{""}
			break
		}
		lines = append(lines, s)
	}
	value := def
	if len(lines) > 0 {
		value = strings.Join(lines, "\n")
	}
	if q.check != nil {
		if err := q.check(value); err != nil {
			return bad(err)
		}
	}
	*q.str = value
	return nil
}

func (p *prompter) choose(q *question) error {
	def := 0
	for i, o := range q.options {
		fmt.Fprintf(p.out, "  %d. %s\n", i+1, o.label)
		if o.value == *q.str {
			def = i + 1
		}
	}
	if def > 0 {
		fmt.Fprintf(p.out, "  Type a number from 1 to %d. Enter keeps: %d, %s\n", len(q.options), def, *q.str)
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
