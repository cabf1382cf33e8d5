package main

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
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
