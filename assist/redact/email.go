package redact

import "strings"

// emails finds addresses of the form local@domain.tld; see the package doc.
func (s *scanner) emails() {
	t := s.text
	for off := 0; off < len(t); {
		k := strings.IndexByte(t[off:], '@')
		if k < 0 {
			return
		}
		at := off + k
		off = at + 1
		start := at
		for start > 0 && isLocal(t[start-1]) {
			start--
		}
		for start < at && t[start] == '.' {
			start++
		}
		if start == at || t[at-1] == '.' || strings.Contains(t[start:at], "..") || glued(s.at(start-1)) {
			continue
		}
		end := at + 1
		for end < len(t) && (isLetter(t[end]) || isDigit(t[end]) || t[end] == '.' || t[end] == '-') {
			end++
		}
		if c := s.at(end); glued(c) || c == '@' {
			continue
		}
		// A sentence's full stop is not part of the domain.
		for end > at+1 && t[end-1] == '.' {
			end--
		}
		if !validDomain(t[at+1 : end]) {
			continue
		}
		if s.add(KindEmail, start, end) {
			off = end
		}
	}
}

// isLocal reports whether c may appear in the local part of an address.
func isLocal(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// validDomain reports whether d is two or more labels of letters, digits
// and inner hyphens, at most 63 characters each, the last one two or more
// letters.
func validDomain(d string) bool {
	labels := 0
	for len(d) > 0 {
		label := d
		if i := strings.IndexByte(d, '.'); i >= 0 {
			label, d = d[:i], d[i+1:]
			if d == "" {
				return false
			}
		} else {
			d = ""
		}
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		labels++
		if d == "" {
			if len(label) < 2 {
				return false
			}
			for i := 0; i < len(label); i++ {
				if !isLetter(label[i]) {
					return false
				}
			}
		}
	}
	return labels >= 2
}
