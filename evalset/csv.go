package evalset

import "strings"

// csvState is a state of the CSV parser.
type csvState int

const (
	csvStartRecord csvState = iota
	csvStartField
	csvInField
	csvInQuoted
	csvQuoteInQuoted
)

// parseCSV splits s into rows the way Python's csv.reader does with the
// default "excel" dialect on a file opened with newline="" (the reader
// shared/data/tools/normalize_data.py uses): fields separated by ',',
// quoted with '"', '""' an escaped quote, CR, LF and CRLF all end a row,
// line ends inside quotes are kept as they are (encoding/csv would turn
// CRLF into LF), a quote inside an unquoted field is literal, text after a
// closing quote is appended to the field, an unterminated quote runs to the
// end of the input, and a blank line is an empty row. Ids and texts must
// match the normalized files byte for byte, hence this parser.
func parseCSV(s string) [][]string {
	var (
		rows  [][]string
		row   []string
		field strings.Builder
		state = csvStartRecord
		// skipLF is set after a row ends at CR: a LF right after it is the
		// same line end (Python splits lines at CR, LF and CRLF).
		skipLF bool
	)
	saveField := func() {
		row = append(row, field.String())
		field.Reset()
	}
	endRow := func() {
		if row == nil {
			row = []string{}
		}
		rows = append(rows, row)
		row = nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if skipLF {
			skipLF = false
			if c == '\n' {
				continue
			}
		}
		switch state {
		case csvStartRecord:
			if c == '\n' || c == '\r' {
				endRow() // a blank line is an empty row
				state, skipLF = csvStartRecord, c == '\r'
				continue
			}
			state = csvStartField
			fallthrough
		case csvStartField:
			switch c {
			case '\n', '\r':
				saveField()
				endRow()
				state, skipLF = csvStartRecord, c == '\r'
			case '"':
				state = csvInQuoted
			case ',':
				saveField()
			default:
				field.WriteByte(c)
				state = csvInField
			}
		case csvInField:
			switch c {
			case '\n', '\r':
				saveField()
				endRow()
				state, skipLF = csvStartRecord, c == '\r'
			case ',':
				saveField()
				state = csvStartField
			default:
				field.WriteByte(c)
			}
		case csvInQuoted:
			if c == '"' {
				state = csvQuoteInQuoted
			} else {
				field.WriteByte(c)
			}
		case csvQuoteInQuoted:
			switch c {
			case '"':
				field.WriteByte('"')
				state = csvInQuoted
			case ',':
				saveField()
				state = csvStartField
			case '\n', '\r':
				saveField()
				endRow()
				state, skipLF = csvStartRecord, c == '\r'
			default:
				field.WriteByte(c)
				state = csvInField
			}
		}
	}
	switch state {
	case csvStartField, csvInField, csvInQuoted, csvQuoteInQuoted:
		if state != csvStartField || row != nil {
			saveField()
		}
		if row != nil {
			endRow()
		}
	}
	return rows
}
