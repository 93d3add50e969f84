package locale

import (
	"testing"
	"testing/fstest"
)

func testCatalog(t *testing.T, langs map[string]string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for lang, body := range langs {
		fsys["catalog/"+lang+".toml"] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}
