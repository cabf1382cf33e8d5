// Package expr evaluates the CEL expressions of agentgateway policies
// (authorization rules, rate-limit descriptors) the way agentgateway v1.4.1
// does, over the same top-level variables: request, source, apiKey, jwt, llm, mcp.
//
// Only a subset of agentgateway's CEL library is implemented: standard CEL,
// the string functions agentgateway ships (its crates/celx/src/strings.rs)
// and nothing else. An expression calling any other function fails in
// Compile, naming the function, so a manifest that serve cannot honour is
// refused at load time instead of failing (and denying) at request time.
package expr

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/ext"
)

// Bounds on one evaluation. CEL has no loops beyond comprehensions over
// finite lists, but nested comprehensions over a large header or claim list
// can still be quadratic; the cost limit stops them, the deadline is a
// backstop for anything the cost model underestimates.
const (
	costLimit   = 100_000
	evalTimeout = 100 * time.Millisecond
	maxSrcLen   = 16 << 10
)

// Top-level variables. agentgateway has more (response, backend, ...);
// they are not declared, so an expression using one fails to compile with
// cel-go's "undeclared reference" error naming it.
var variables = []string{"request", "source", "apiKey", "jwt", "llm", "mcp"}

// supported are the non-operator functions an expression may call: those
// both agentgateway (cel-fork context.rs, celx/src/strings.rs) and this
// package implement. Macros (has, all, exists, exists_one, map, filter) are
// expanded by the parser and need no entry.
var supported = map[string]bool{
	// standard library
	"contains": true, "size": true, "startsWith": true, "endsWith": true,
	"matches": true, "string": true, "bytes": true, "double": true,
	"int": true, "uint": true, "type": true, "duration": true, "timestamp": true,
	"getFullYear": true, "getMonth": true, "getDayOfYear": true,
	"getDayOfMonth": true, "getDate": true, "getDayOfWeek": true,
	"getHours": true, "getMinutes": true, "getSeconds": true,
	"getMilliseconds": true,
	// agentgateway's string extension (a subset of cel-go's ext.Strings)
	"charAt": true, "indexOf": true, "join": true, "lastIndexOf": true,
	"lowerAscii": true, "replace": true, "split": true, "substring": true,
	"trim": true, "upperAscii": true, "stripPrefix": true, "stripSuffix": true,
}

// agentgatewayOnly are functions agentgateway has that serve does not
// implement; named separately so the error says so rather than "unknown".
var agentgatewayOnly = map[string]bool{
	"json": true, "jsonField": true, "toJson": true, "to_json": true,
	"with": true, "default": true, "coalesce": true, "fail": true,
	"base64Encode": true, "base64Decode": true, "filterKeys": true,
	"mapValues": true, "merge": true, "random": true, "regexReplace": true,
	"unvalidatedJwtPayload": true, "uuid": true, "variables": true,
	"max": true, "min": true, "value": true, "hasValue": true, "or": true,
	"orValue": true, "flatten": true, "unredacted": true,
	"cidr": true, "ip": true, "isIP": true, "isCIDR": true,
	"greatest": true, "least": true,
}

// headerAccessors are agentgateway's methods on request.headers (types.rs,
// Headers::call_function). join/split collide with the list functions and
// would type-check on a dyn receiver, then fail per request; they are
// refused when called on a `headers` field.
var headerAccessors = []string{"join", "split", "raw", "redacted", "cookie"}

var env = sync.OnceValues(func() (*cel.Env, error) {
	opts := []cel.EnvOption{
		// Only the ext.Strings functions agentgateway has are allowed (see
		// supported); the others (format, quote, reverse) are rejected by
		// the function walk before type-checking.
		ext.Strings(),
		cel.Function("stripPrefix", cel.MemberOverload("string_strip_prefix",
			[]*cel.Type{cel.StringType, cel.StringType}, cel.StringType,
			cel.BinaryBinding(func(s, p ref.Val) ref.Val {
				return types.String(strings.TrimPrefix(string(s.(types.String)), string(p.(types.String))))
			}))),
		cel.Function("stripSuffix", cel.MemberOverload("string_strip_suffix",
			[]*cel.Type{cel.StringType, cel.StringType}, cel.StringType,
			cel.BinaryBinding(func(s, p ref.Val) ref.Val {
				return types.String(strings.TrimSuffix(string(s.(types.String)), string(p.(types.String))))
			}))),
		cel.ParserRecursionLimit(64),
		cel.ParserExpressionSizeLimit(maxSrcLen),
	}
	for _, v := range variables {
		opts = append(opts, cel.Variable(v, cel.MapType(cel.StringType, cel.DynType)))
	}
	return cel.NewEnv(opts...)
})

// Program is a compiled expression, safe for concurrent use.
type Program struct {
	src string
	prg cel.Program
}

// Compile parses and checks src. Errors name the unsupported function or the
// undeclared variable.
func Compile(src string) (*Program, error) {
	e, err := env()
	if err != nil {
		return nil, fmt.Errorf("expr: CEL environment: %w", err)
	}
	if len(src) > maxSrcLen {
		return nil, fmt.Errorf("expr: expression is %d bytes, more than %d", len(src), maxSrcLen)
	}
	parsed, iss := e.Parse(src)
	if iss.Err() != nil {
		return nil, fmt.Errorf("expr: %q: %w", src, iss.Err())
	}
	// The function walk runs before Check so that a call to an unknown
	// function is reported as such, not as cel-go's overload error.
	if err := checkFunctions(parsed.NativeRep().Expr()); err != nil {
		return nil, fmt.Errorf("expr: %q: %w", src, err)
	}
	checked, iss := e.Check(parsed)
	if iss.Err() != nil {
		return nil, fmt.Errorf("expr: %q: %w", src, iss.Err())
	}
	prg, err := e.Program(checked,
		cel.CostLimit(costLimit),
		cel.InterruptCheckFrequency(100),
	)
	if err != nil {
		return nil, fmt.Errorf("expr: %q: %w", src, err)
	}
	return &Program{src: src, prg: prg}, nil
}

// checkFunctions refuses calls outside the supported set.
func checkFunctions(root ast.Expr) error {
	var errs []error
	ast.PreOrderVisit(root, ast.NewExprVisitor(func(e ast.Expr) {
		if e.Kind() != ast.CallKind {
			return
		}
		call := e.AsCall()
		name := call.FunctionName()
		switch {
		case isOperator(name):
		case call.IsMemberFunction() && slices.Contains(headerAccessors, name) &&
			call.Target().Kind() == ast.SelectKind && call.Target().AsSelect().FieldName() == "headers":
			errs = append(errs, fmt.Errorf("the headers accessor %s() is agentgateway's and not supported by kubelb-ai serve", name))
		case supported[name]:
		case agentgatewayOnly[name]:
			errs = append(errs, fmt.Errorf("function %s() is agentgateway's and not supported by kubelb-ai serve", name))
		default:
			errs = append(errs, fmt.Errorf("unknown function %s()", name))
		}
	}))
	return errors.Join(errs...)
}

// isOperator reports whether name is one of CEL's operator functions
// (_==_, _&&_, !_, -_, _[_], @in, @not_strictly_false, ...).
func isOperator(name string) bool {
	return strings.HasPrefix(name, "_") || strings.HasPrefix(name, "@") || name == "!_" || name == "-_"
}

// Source returns the expression text.
func (p *Program) Source() string { return p.src }

func (p *Program) eval(v *Vars) (ref.Val, error) {
	ctx, cancel := context.WithTimeout(context.Background(), evalTimeout)
	defer cancel()
	out, _, err := p.prg.ContextEval(ctx, v.activation())
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Bool evaluates to a bool. Any evaluation error (a missing field such as
// apiKey.tier for a caller without an API key, a type error) is returned;
// agentgateway treats such an authorization rule as not matching
// (authorization.rs, exec.eval_bool), and so should callers.
func (p *Program) Bool(v *Vars) (bool, error) {
	out, err := p.eval(v)
	if err != nil {
		return false, err
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("expr: %q evaluated to %s, not bool", p.src, out.Type().TypeName())
	}
	return bool(b), nil
}

// String evaluates to a string the way agentgateway stringifies a rate-limit
// descriptor value (cel-fork objects.rs Value::as_str): strings as is, bools
// as true/false, ints and uints in decimal, bytes in standard base64; other
// types (double, null, list, map) are an error, and agentgateway then drops
// the descriptor.
func (p *Program) String(v *Vars) (string, error) {
	out, err := p.eval(v)
	if err != nil {
		return "", err
	}
	switch x := out.(type) {
	case types.String:
		return string(x), nil
	case types.Bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case types.Int:
		return fmt.Sprint(int64(x)), nil
	case types.Uint:
		return fmt.Sprint(uint64(x)), nil
	case types.Bytes:
		return base64.StdEncoding.EncodeToString(x), nil
	}
	return "", fmt.Errorf("expr: %q evaluated to %s, which has no string form", p.src, out.Type().TypeName())
}
