package volume

// Check exposes the upload check (name cleaning and type detection) to the
// tests: it returns the name to store and the detected content type.
func Check(name string, data []byte) (string, string, error) { return checkUpload(name, data) }

// ContentTypes lists the content types the volume accepts, with the name
// extensions of each.
func ContentTypes() map[string][]string {
	m := map[string][]string{}
	for _, t := range fileTypes {
		m[t.mime] = t.exts
	}
	return m
}
