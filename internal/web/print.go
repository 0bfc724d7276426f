package web

import (
	"onepool/internal/clock"
	"onepool/internal/place"
)

// Printed pages (a notice for the village board, a project's volume
// index) share one frame, templates/partials_print.html: A4 (the
// @page rule of app.css), the county's name as header, and at the foot
// the seal area (盖章处) with a date line. No inline style: the CSP
// forbids it, so all of it is classes in the static CSS.

// printFrame is what the print header and foot show.
type printFrame struct {
	County  string // the county's name
	Title   string
	Printed string // the day it was printed (YYYY-MM-DD)
}

func (s *Server) printFrame(c *call, countyName, title string) printFrame {
	return printFrame{County: countyName, Title: title, Printed: clock.Day(s.d.Clock())}
}

// staffPrintFrame is the frame of a staff page: the user's county.
func (s *Server) staffPrintFrame(c *call, title string) printFrame {
	return s.printFrame(c, s.d.Auth.PlaceName(c.r.Context(), place.Code(c.p.County+"000000")), title)
}
