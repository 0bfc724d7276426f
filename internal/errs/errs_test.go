package errs

import "testing"

// An error keeps the English format and its arguments, so that the web
// layer can say the same sentence in Chinese; Message stays English.
func TestErrorKeepsFormatAndArgs(t *testing.T) {
	e := F(InsufficientFunds, "insufficient_funds", "amount", "the pool holds %s yuan; %s yuan needed", "1.00", "2.00")
	if e.Message != "the pool holds 1.00 yuan; 2.00 yuan needed" {
		t.Fatalf("Message = %q", e.Message)
	}
	if e.Format != "the pool holds %s yuan; %s yuan needed" || len(e.Args) != 2 || e.Args[1] != "2.00" {
		t.Fatalf("Format %q Args %v", e.Format, e.Args)
	}
	if got := e.Error(); got != "insufficient_funds (amount): the pool holds 1.00 yuan; 2.00 yuan needed" {
		t.Fatalf("Error() = %q", got)
	}
	w := Wrap(&Error{Kind: Unavailable, Code: "busy", Message: "busy", Format: "database busy, try again"}, "saving")
	if w.Format != "database busy, try again" || w.Kind != Unavailable {
		t.Fatalf("Wrap lost the format: %+v", w)
	}
}
