// Package agreement holds a test that checks `kubelb-ai validate` against a
// real kube-apiserver: every document of a generated corpus goes through
// the validate package and through a server-side dry-run create with
// fieldValidation=Strict, and the two verdicts (accepted or rejected) must
// agree. The API server comes from hack/testcluster; the test is skipped
// unless KUBELB_AI_APISERVER=1 or KUBELB_AI_TEST_KUBECONFIG is set. See
// agreement_test.go for the knobs.
package agreement
