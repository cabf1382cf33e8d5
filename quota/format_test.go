package quota

import (
	"fmt"
	"strings"
)

// fmtResult prints a Result for failure messages.
func fmtResult(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s [", r.Code)
	for i, s := range r.Statuses {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s", s.Code)
		if s.Limit != nil {
			fmt.Fprintf(&b, " %d/%s", s.Limit.RequestsPerUnit, s.Limit.Unit)
			if s.Limit.Name != "" {
				fmt.Fprintf(&b, "(%s)", s.Limit.Name)
			}
		}
		fmt.Fprintf(&b, " remaining=%d reset=%s", s.Remaining, s.ResetAfter)
	}
	b.WriteString("]")
	return b.String()
}
