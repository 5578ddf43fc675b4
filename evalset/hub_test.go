package evalset

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// fakeHub serves the Hub endpoints leakhound uses, in the shapes of
// huggingface.co: revision info, paginated tree listings with LFS ids, and
// resolve URLs that answer with a 302 to a separate CDN server carrying
// X-Repo-Commit, X-Linked-Etag and X-Linked-Size. The CDN honours Range.
type fakeHub struct {
	t     *testing.T
	repo  string
	token string                       // required on the Hub (not the CDN) when set
	refs  map[string]string            // revision → commit
	trees map[string]map[string][]byte // commit → path → content
	lfs   bool                         // list files as LFS objects

	mu          sync.Mutex
	abortOnce   bool     // the first CDN GET sends half the file, then breaks
	corrupt     bool     // the CDN flips a byte
	badETag     bool     // the resolve answer carries a wrong ETag
	ranges      []string // Range headers the CDN saw
	cdnAuth     []string // Authorization headers the CDN saw
	cdnRequests int

	hub, cdn *httptest.Server
}

func newFakeHub(t *testing.T, repo string) *fakeHub {
	for _, v := range []string{"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "LEAKHOUND_OFFLINE", "HF_HUB_OFFLINE", "HF_ENDPOINT"} {
		t.Setenv(v, "") // the caller's environment must not change the outcome
	}
	h := &fakeHub{t: t, repo: repo, refs: map[string]string{}, trees: map[string]map[string][]byte{}, lfs: true}
	h.cdn = httptest.NewServer(http.HandlerFunc(h.serveCDN))
	h.hub = httptest.NewServer(http.HandlerFunc(h.serveHub))
	t.Cleanup(func() { h.hub.Close(); h.cdn.Close() })
	return h
}

// commit adds a commit with files, reachable from revision ref.
func (h *fakeHub) commit(ref string, files map[string][]byte) string {
	sum := sha1.New()
	fmt.Fprint(sum, ref, len(h.trees))
	id := hex.EncodeToString(sum.Sum(nil))
	h.refs[ref], h.refs[id], h.trees[id] = id, id, files
	return id
}

func sha256hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func gitOID(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func (h *fakeHub) authorized(w http.ResponseWriter, r *http.Request) bool {
	if h.token != "" && r.Header.Get("Authorization") != "Bearer "+h.token {
		w.Header().Set("X-Error-Code", "GatedRepo")
		http.Error(w, `{"error":"Access to dataset is restricted."}`, http.StatusUnauthorized)
		return false
	}
	return true
}

func (h *fakeHub) serveHub(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(w, r) {
		return
	}
	p := r.URL.EscapedPath()
	api := "/api/datasets/" + h.repo + "/"
	switch {
	case strings.HasPrefix(p, api+"revision/"):
		rev, _ := url.PathUnescape(strings.TrimPrefix(p, api+"revision/"))
		commit, ok := h.refs[rev]
		if !ok {
			http.Error(w, `{"error":"Invalid rev id"}`, http.StatusNotFound)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"id": h.repo, "sha": commit, "private": false, "siblings": []any{}})
	case strings.HasPrefix(p, api+"tree/"):
		h.serveTree(w, r, strings.TrimPrefix(p, api+"tree/"))
	case strings.HasPrefix(p, "/datasets/"+h.repo+"/resolve/"):
		h.serveResolve(w, r, strings.TrimPrefix(p, "/datasets/"+h.repo+"/resolve/"))
	default:
		http.NotFound(w, r)
	}
}

// serveTree lists one file per page, linking the next page as the Hub
// does (Link: <…&cursor=…>; rel="next").
func (h *fakeHub) serveTree(w http.ResponseWriter, r *http.Request, commit string) {
	files, ok := h.trees[commit]
	if !ok || r.URL.Query().Get("recursive") != "true" {
		http.NotFound(w, r)
		return
	}
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	start, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
	entries := []map[string]any{}
	if start == 0 {
		entries = append(entries, map[string]any{"type": "directory", "oid": strings.Repeat("0", 40), "size": 0, "path": "main"})
	}
	if start < len(paths) {
		b := files[paths[start]]
		e := map[string]any{"type": "file", "oid": gitOID(b), "size": len(b), "path": paths[start]}
		if h.lfs {
			e["oid"] = gitOID([]byte("pointer " + paths[start]))
			e["size"] = 134
			e["lfs"] = map[string]any{"oid": sha256hex(b), "size": len(b), "pointerSize": 134}
		}
		entries = append(entries, e)
	}
	if start+1 < len(paths) {
		w.Header().Set("Link", fmt.Sprintf(`<%s/api/datasets/%s/tree/%s?recursive=true&cursor=%d>; rel="next"`, h.hub.URL, h.repo, commit, start+1))
	}
	json.NewEncoder(w).Encode(entries)
}

func (h *fakeHub) serveResolve(w http.ResponseWriter, r *http.Request, rest string) {
	commit, p, _ := strings.Cut(rest, "/")
	p, _ = url.PathUnescape(p)
	b, ok := h.trees[commit][p]
	if !ok {
		w.Header().Set("X-Error-Code", "EntryNotFound")
		http.NotFound(w, r)
		return
	}
	w.Header().Set("X-Repo-Commit", commit)
	etag := gitOID(b)
	if h.lfs {
		etag = sha256hex(b)
	}
	if h.badETag {
		etag = sha256hex([]byte("something else"))
	}
	if h.lfs {
		w.Header().Set("ETag", `"`+gitOID([]byte("pointer "+p))+`"`)
		w.Header().Set("X-Linked-Etag", `"`+etag+`"`)
		w.Header().Set("X-Linked-Size", strconv.Itoa(len(b)))
		http.Redirect(w, r, h.cdn.URL+"/repos/"+sha256hex(b)+"?download=true", http.StatusFound)
		return
	}
	w.Header().Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, p, time.Time{}, bytes.NewReader(b))
}

func (h *fakeHub) serveCDN(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/repos/")
	var content []byte
	for _, files := range h.trees {
		for _, b := range files {
			if sha256hex(b) == key {
				content = b
			}
		}
	}
	if content == nil {
		http.NotFound(w, r)
		return
	}
	h.mu.Lock()
	h.cdnRequests++
	h.ranges = append(h.ranges, r.Header.Get("Range"))
	h.cdnAuth = append(h.cdnAuth, r.Header.Get("Authorization"))
	abort, corrupt := h.abortOnce, h.corrupt
	h.abortOnce = false
	h.mu.Unlock()
	if corrupt {
		content = append([]byte(nil), content...)
		content[len(content)/2] ^= 0xff
	}
	if abort && r.Method == http.MethodGet {
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		w.WriteHeader(http.StatusOK)
		w.Write(content[:len(content)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection breaks mid-file
	}
	http.ServeContent(w, r, "blob", time.Time{}, bytes.NewReader(content))
}

func (h *fakeHub) options(cache string) Options {
	return Options{HubEndpoint: h.hub.URL, CacheDir: cache, NoClusters: true}
}

// Parquet rows written by the tests, in the Hub datasets' column names.
type gsmRow struct {
	Question string `parquet:"question"`
	Answer   string `parquet:"answer"`
}

type mmluRow struct {
	Question string   `parquet:"question"`
	Subject  string   `parquet:"subject"`
	Choices  []string `parquet:"choices,list"`
	Answer   int64    `parquet:"answer"`
}

type textRow struct {
	Text string `parquet:"text"`
}

func parquetBytes[T any](t *testing.T, rows []T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := parquet.Write(&buf, rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gsmFixture(t *testing.T, prefix string, n int) []byte {
	rows := make([]gsmRow, n)
	for i := range rows {
		rows[i] = gsmRow{Question: fmt.Sprintf("%s question %d: how many apples are left after eating %d?", prefix, i, i),
			Answer: fmt.Sprintf("She ate %d so %d are left.\n#### %d", i, 100-i, 100-i)}
	}
	return parquetBytes(t, rows)
}

func TestHubDownloadResumeAndOffline(t *testing.T) {
	h := newFakeHub(t, "openai/gsm8k")
	test := gsmFixture(t, "test", 300)
	commit := h.commit("main", map[string][]byte{
		".gitattributes":                       []byte("*.parquet filter=lfs\n"),
		"main/test-00000-of-00001.parquet":     test,
		"main/train-00000-of-00001.parquet":    gsmFixture(t, "train", 5),
		"socratic/test-00000-of-00001.parquet": gsmFixture(t, "socratic", 3),
	})
	h.abortOnce = true
	cache := t.TempDir()
	opts := h.options(cache)
	var notes []string
	opts.Progress = func(f string, a ...any) { notes = append(notes, fmt.Sprintf(f, a...)) }
	items, err := LoadAll(context.Background(), []string{"hf://datasets/openai/gsm8k/main/test"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 300 {
		t.Fatalf("got %d items, want 300", len(items))
	}
	want0 := "test question 0: how many apples are left after eating 0?\nShe ate 0 so 100 are left.\n#### 100"
	if it := items[0]; it.ID != "gsm8k/test/0" || it.Benchmark != "gsm8k" || it.Split != "test" || it.Part != "full" || it.Text != want0 {
		t.Errorf("item 0 = %+v", it)
	}
	if items[299].ID != "gsm8k/test/299" {
		t.Errorf("last id %q", items[299].ID)
	}
	if len(h.ranges) != 2 || h.ranges[0] != "" || !strings.HasPrefix(h.ranges[1], "bytes=") || h.ranges[1] == "bytes=0-" {
		t.Errorf("CDN saw Range headers %q, want a first full GET and a resumed one", h.ranges)
	}
	if len(notes) != 2 || !strings.Contains(notes[0], "resuming") || !strings.Contains(notes[1], "downloaded main/test-00000-of-00001.parquet") {
		t.Errorf("progress notes %q", notes)
	}
	blob := filepath.Join(cache, "datasets", "openai", "gsm8k", "blobs", sha256hex(test))
	if b, err := os.ReadFile(blob); err != nil || !bytes.Equal(b, test) {
		t.Fatalf("cached blob %s: %v", blob, err)
	}

	// Online again: the cached blob is used, nothing is downloaded.
	if _, err := LoadAll(context.Background(), []string{"hf://datasets/openai/gsm8k/main/test"}, opts); err != nil {
		t.Fatal(err)
	}
	if h.cdnRequests != 2 {
		t.Errorf("CDN requests %d after a cached load, want 2", h.cdnRequests)
	}

	// Offline, with the servers gone: the cache answers, by branch and by commit.
	h.hub.Close()
	h.cdn.Close()
	for _, spec := range []string{"hf://datasets/openai/gsm8k/main/test", "hf://datasets/openai/gsm8k@" + commit + "/main/test"} {
		off := h.options(cache)
		off.Offline = true
		got, err := LoadAll(context.Background(), []string{spec}, off)
		if err != nil {
			t.Fatalf("%s offline: %v", spec, err)
		}
		if len(got) != 300 || got[5].Text != items[5].Text {
			t.Errorf("%s offline: %d items", spec, len(got))
		}
	}
}

func TestHubOfflineEmptyCache(t *testing.T) {
	t.Setenv("LEAKHOUND_OFFLINE", "1")
	_, err := LoadAll(context.Background(), []string{"hf://datasets/openai/gsm8k/main/test"},
		Options{CacheDir: t.TempDir(), HubEndpoint: "http://127.0.0.1:1"})
	if err == nil {
		t.Fatal("no error offline with an empty cache")
	}
	msg := err.Error()
	for _, want := range []string{"offline mode is on", "LEAKHOUND_OFFLINE", "not in the cache", "run once with network access"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Count(msg, "\n") != 0 || strings.Count(msg, "offline mode is on") != 1 {
		t.Errorf("want one line, got %q", msg)
	}
}

func TestHubGatedToken(t *testing.T) {
	h := newFakeHub(t, "acme/secret-bench")
	h.token = "hf_test_token"
	h.commit("main", map[string][]byte{"data/test-00000-of-00001.parquet": parquetBytes(t, []textRow{{"alpha beta gamma"}, {"delta"}})})
	spec := "hf://datasets/acme/secret-bench/default/test"
	opts := h.options(t.TempDir())
	_, err := LoadAll(context.Background(), []string{spec}, opts)
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "HF_TOKEN") {
		t.Fatalf("without a token: err = %v, want a 401 naming HF_TOKEN", err)
	}
	t.Setenv("HF_TOKEN", "hf_test_token")
	items, err := LoadAll(context.Background(), []string{spec}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[1].ID != "secret-bench/test/1" || items[1].Text != "delta" || items[0].Part != "full" {
		t.Errorf("items = %+v", items)
	}
	for _, a := range h.cdnAuth {
		if a != "" {
			t.Errorf("the token was sent to the CDN: %q", a)
		}
	}
}

func TestHubVerification(t *testing.T) {
	tests := []struct {
		name string
		set  func(h *fakeHub)
		want string
	}{
		{"checksum", func(h *fakeHub) { h.corrupt = true }, "checksum mismatch"},
		{"etag", func(h *fakeHub) { h.badETag = true }, "differs from the listed id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFakeHub(t, "openai/gsm8k")
			h.commit("main", map[string][]byte{"main/test-00000-of-00001.parquet": gsmFixture(t, "q", 20)})
			tt.set(h)
			cache := t.TempDir()
			_, err := LoadAll(context.Background(), []string{"hf://datasets/openai/gsm8k/main/test"}, h.options(cache))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			blobs, _ := filepath.Glob(filepath.Join(cache, "datasets", "openai", "gsm8k", "blobs", "*"))
			if len(blobs) != 0 {
				t.Errorf("a bad file was kept: %v", blobs)
			}
		})
	}
}

// TestHubConvertedParquet covers a repository without Parquet files: the
// loader reads the Hub's conversion on refs/convert/parquet, here a
// non-LFS listing, checked by git blob id.
func TestHubConvertedParquet(t *testing.T) {
	h := newFakeHub(t, "someone/quiz")
	h.lfs = false
	h.commit("main", map[string][]byte{"quiz.csv": []byte("text\nq\n")})
	h.commit(convertRev, map[string][]byte{
		"default/test/0000.parquet":       parquetBytes(t, []textRow{{"first"}, {"second"}}),
		"default/test/0001.parquet":       parquetBytes(t, []textRow{{"third"}}),
		"default/validation/0000.parquet": parquetBytes(t, []textRow{{"val"}}),
	})
	items, err := LoadAll(context.Background(), []string{"hf://datasets/someone/quiz"}, h.options(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.ID+"="+it.Text)
	}
	want := "quiz/test/0=first quiz/test/1=second quiz/test/2=third quiz/validation/0=val"
	if strings.Join(got, " ") != want {
		t.Errorf("items %q, want %q", got, want)
	}
}

// TestHubMultipleChoice reads a list column and an integer answer (the
// cais/mmlu layout) and renders the parts.
func TestHubMultipleChoice(t *testing.T) {
	h := newFakeHub(t, "cais/mmlu")
	rows := []mmluRow{
		{Question: "Which planet is known as the red planet?", Subject: "astronomy", Choices: []string{"Venus", "Mars", "Jupiter", "Saturn"}, Answer: 1},
		{Question: "What is two plus two?", Subject: "math", Choices: []string{"3", "4", "5", "22"}, Answer: 1},
	}
	h.commit("main", map[string][]byte{
		"all/test-00000-of-00001.parquet":       parquetBytes(t, rows),
		"astronomy/test-00000-of-00001.parquet": parquetBytes(t, rows[:1]),
	})
	cache := t.TempDir()
	tests := []struct {
		part, want0 string
		n           int
	}{
		{"", "Which planet is known as the red planet?\nA. Venus\nB. Mars\nC. Jupiter\nD. Saturn", 2},
		{"full", "Which planet is known as the red planet?\nA. Venus\nB. Mars\nC. Jupiter\nD. Saturn\nAnswer: B", 2},
		{"question", "Which planet is known as the red planet?", 2},
	}
	for _, tt := range tests {
		opts := h.options(cache)
		opts.Part = tt.part
		items, err := LoadAll(context.Background(), []string{"hf://datasets/cais/mmlu/all/test"}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != tt.n || items[0].Text != tt.want0 || items[0].ID != "mmlu/test/0" || items[0].Answer != "Mars" {
			t.Errorf("part %q: items = %+v", tt.part, items)
		}
	}
	_, err := LoadAll(context.Background(), []string{"hf://datasets/cais/mmlu"}, h.options(cache))
	if err == nil || !strings.Contains(err.Error(), "several configs (all, astronomy)") {
		t.Errorf("no config: err = %v", err)
	}
}

func TestParseHubSpec(t *testing.T) {
	tests := []struct {
		spec, repo, rev, config, split, err string
	}{
		{spec: "hf://datasets/openai/gsm8k", repo: "openai/gsm8k", rev: "main"},
		{spec: "hf://datasets/openai/gsm8k@v1.0/main/test", repo: "openai/gsm8k", rev: "v1.0", config: "main", split: "test"},
		{spec: "hf://datasets/cais/mmlu@refs%2Fconvert%2Fparquet/all/", repo: "cais/mmlu", rev: convertRev, config: "all"},
		{spec: "hf://datasets/openai", err: "want hf://datasets/ORG/NAME"},
		{spec: "hf://models/openai/gpt2", err: "want hf://datasets/ORG/NAME"},
		{spec: "hf://datasets/a/b/c/d/e", err: "want hf://datasets/ORG/NAME"},
		{spec: "hf://datasets/a/b/../x", err: "bad path element"},
	}
	for _, tt := range tests {
		l, err := ParseHubSpec(tt.spec)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want %q", tt.spec, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.spec, err)
			continue
		}
		if l.Repo != tt.repo || l.Revision != tt.rev || l.Config != tt.config || l.Split != tt.split {
			t.Errorf("%s: got %+v", tt.spec, l)
		}
	}
}

func writeParquetSeed(w *bytes.Buffer) error {
	return parquet.Write(w, []gsmRow{{Question: "q one", Answer: "a one"}, {Question: "q two", Answer: "a two"}})
}
