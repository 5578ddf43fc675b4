package evalset

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/leakhound/leakhound/internal/atomicfile"
)

// hubClient downloads dataset files from the Hugging Face Hub the way
// huggingface_hub does, into a cache laid out as
//
//	<cache>/datasets/ORG/NAME/refs/<revision>        commit id of a branch or tag
//	<cache>/datasets/ORG/NAME/trees/<commit>.json    the file listing at that commit
//	<cache>/datasets/ORG/NAME/blobs/<etag>           verified file content
//	<cache>/datasets/ORG/NAME/blobs/<etag>.incomplete  a partial download
//
// Protocol: GET /api/datasets/REPO/revision/REV gives the commit ("sha");
// GET /api/datasets/REPO/tree/COMMIT?recursive=true (pages linked with
// Link: rel="next") lists files with their git oid and, for LFS files, the
// SHA-256 and size. Each file is fetched from /datasets/REPO/resolve/COMMIT/PATH:
// a HEAD without following redirects gives X-Repo-Commit, the ETag
// (X-Linked-Etag for LFS files, which is the SHA-256) and the size
// (X-Linked-Size), and Location, the CDN address; the GET that follows
// resumes a partial download with Range. A file is kept only when its
// size and checksum (SHA-256 for LFS, the git blob SHA-1 otherwise) match
// the listing, and its ETag must equal the listed id: a revision pins
// every byte.
type hubClient struct {
	endpoint string
	token    string
	http     *http.Client
	cache    string
	offline  bool
	progress func(string, ...any)
}

// maxHubAttempts bounds the resumed attempts of one download.
const maxHubAttempts = 4

func newHubClient(o Options) (*hubClient, error) {
	cache, err := o.cacheDir()
	if err != nil {
		return nil, err
	}
	c := &hubClient{endpoint: o.HubEndpoint, token: o.Token, http: o.HTTPClient, cache: cache,
		offline: o.offline(), progress: o.Progress}
	if c.endpoint == "" {
		c.endpoint = os.Getenv("HF_ENDPOINT")
	}
	if c.endpoint == "" {
		c.endpoint = "https://huggingface.co"
	}
	c.endpoint = strings.TrimSuffix(c.endpoint, "/")
	if c.token == "" {
		c.token = os.Getenv("HF_TOKEN")
	}
	if c.token == "" {
		c.token = os.Getenv("HUGGING_FACE_HUB_TOKEN")
	}
	if c.http == nil {
		c.http = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   30 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
		}}
	}
	if c.progress == nil {
		c.progress = func(string, ...any) {}
	}
	return c, nil
}

// errOffline marks a cache miss in offline mode.
var errOffline = errors.New("offline")

func (c *hubClient) offlineError(l *HubLoader, what string) error {
	return fmt.Errorf("%w: offline mode is on (--offline, LEAKHOUND_OFFLINE or HF_HUB_OFFLINE) and %s is not in the cache %s; run once with network access to download it", errOffline, what, c.cache)
}

func (c *hubClient) repoDir(repo string) string {
	return filepath.Join(c.cache, "datasets", filepath.FromSlash(repo))
}

// fetch returns the selected files of l, downloaded and verified.
func (c *hubClient) fetch(ctx context.Context, l *HubLoader) ([]hubFile, error) {
	files, err := c.listing(ctx, l, l.Revision)
	if err != nil {
		return nil, err
	}
	sel, err := selectFiles(files, l.Config, l.Split)
	if err != nil {
		return nil, err
	}
	if len(sel) == 0 && l.Revision != convertRev {
		// No Parquet in the repository itself: use the Hub's conversion.
		if files, err = c.listing(ctx, l, convertRev); err != nil {
			return nil, err
		}
		if sel, err = selectFiles(files, l.Config, l.Split); err != nil {
			return nil, err
		}
	}
	if len(sel) == 0 {
		return nil, fmt.Errorf("no Parquet files at revision %s nor on %s", l.Revision, convertRev)
	}
	for i := range sel {
		if sel[i].local, err = c.blob(ctx, l, &sel[i]); err != nil {
			return nil, err
		}
	}
	return sel, nil
}

// convertRev is the branch where the Hub keeps its Parquet conversion.
const convertRev = "refs/convert/parquet"

// listing returns the files at rev, from the cache when the commit's
// listing is there.
func (c *hubClient) listing(ctx context.Context, l *HubLoader, rev string) ([]hubFile, error) {
	commit, err := c.commit(ctx, l, rev)
	if err != nil {
		return nil, err
	}
	treePath := filepath.Join(c.repoDir(l.Repo), "trees", commit+".json")
	if b, err := os.ReadFile(treePath); err == nil {
		var files []hubFile
		if err := json.Unmarshal(b, &files); err == nil {
			return files, nil
		}
	}
	if c.offline {
		return nil, c.offlineError(l, "the file listing of "+l.Repo+"@"+commit)
	}
	files, err := c.fetchTree(ctx, l.Repo, commit)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(files)
	if err != nil {
		return nil, err
	}
	return files, atomicfile.Write(treePath, b)
}

// commit resolves rev to a commit id: online by asking the Hub (and
// remembering the answer), offline from the remembered answer.
func (c *hubClient) commit(ctx context.Context, l *HubLoader, rev string) (string, error) {
	refPath := filepath.Join(c.repoDir(l.Repo), "refs", url.PathEscape(rev))
	if c.offline {
		if commitRE.MatchString(rev) {
			return rev, nil
		}
		b, err := os.ReadFile(refPath)
		if err != nil {
			return "", c.offlineError(l, "revision "+rev+" of "+l.Repo)
		}
		return strings.TrimSpace(string(b)), nil
	}
	var info struct {
		SHA string `json:"sha"`
	}
	u := c.endpoint + "/api/datasets/" + l.Repo + "/revision/" + url.PathEscape(rev)
	if err := c.getJSON(ctx, u, &info, nil); err != nil {
		return "", err
	}
	if !commitRE.MatchString(info.SHA) {
		return "", fmt.Errorf("revision %s: the Hub gave no commit id", rev)
	}
	return info.SHA, atomicfile.Write(refPath, []byte(info.SHA+"\n"))
}

// treeEntry is one entry of the Hub's tree listing.
type treeEntry struct {
	Type string `json:"type"`
	OID  string `json:"oid"`
	Size int64  `json:"size"`
	Path string `json:"path"`
	LFS  *struct {
		OID  string `json:"oid"`
		Size int64  `json:"size"`
	} `json:"lfs"`
}

func (c *hubClient) fetchTree(ctx context.Context, repo, commit string) ([]hubFile, error) {
	next := c.endpoint + "/api/datasets/" + repo + "/tree/" + commit + "?recursive=true"
	var files []hubFile
	for pages := 0; next != ""; pages++ {
		if pages > 10000 {
			return nil, fmt.Errorf("tree listing of %s: too many pages", repo)
		}
		var entries []treeEntry
		var hdr http.Header
		if err := c.getJSON(ctx, next, &entries, &hdr); err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.Type != "file" {
				continue
			}
			f := hubFile{Path: e.Path, Size: e.Size, OID: e.OID, Commit: commit}
			if e.LFS != nil {
				f.SHA256, f.Size = e.LFS.OID, e.LFS.Size
			}
			files = append(files, f)
		}
		next = nextLink(hdr.Get("Link"), next)
	}
	return files, nil
}

// nextLink returns the rel="next" target of a Link header, resolved
// against base, or "".
func nextLink(link, base string) string {
	for _, part := range strings.Split(link, ",") {
		target, params, ok := strings.Cut(part, ";")
		if !ok || !strings.Contains(params, `rel="next"`) {
			continue
		}
		target = strings.Trim(strings.TrimSpace(target), "<>")
		b, err1 := url.Parse(base)
		t, err2 := url.Parse(target)
		if err1 != nil || err2 != nil {
			return ""
		}
		return b.ResolveReference(t).String()
	}
	return ""
}

// request builds a request carrying the token when it goes to the Hub
// endpoint itself (never to a CDN).
func (c *hubClient) request(ctx context.Context, method, u string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "leakhound")
	if c.token != "" && sameHost(u, c.endpoint) {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Scheme == ub.Scheme && ua.Host == ub.Host
}

func (c *hubClient) getJSON(ctx context.Context, u string, v any, hdr *http.Header) error {
	req, err := c.request(ctx, http.MethodGet, u)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := c.statusError(resp); err != nil {
		return err
	}
	if hdr != nil {
		*hdr = resp.Header
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 256<<20)).Decode(v); err != nil {
		return fmt.Errorf("GET %s: bad JSON: %v", u, err)
	}
	return nil
}

// statusError explains a failed Hub answer.
func (c *hubClient) statusError(resp *http.Response) error {
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		hint := "the dataset is gated or private: accept its terms on the Hub and set HF_TOKEN"
		if c.token != "" {
			hint = "HF_TOKEN was sent but does not give access: accept the dataset's terms on the Hub with that account"
		}
		return fmt.Errorf("%s %s: %s (%s)", resp.Request.Method, resp.Request.URL, resp.Status, hint)
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%s %s: %s (no such dataset, revision or file; a private dataset also needs HF_TOKEN)", resp.Request.Method, resp.Request.URL, resp.Status)
	}
	return fmt.Errorf("%s %s: %s", resp.Request.Method, resp.Request.URL, resp.Status)
}

// blob returns the local path of f's verified content, downloading it if
// needed.
func (c *hubClient) blob(ctx context.Context, l *HubLoader, f *hubFile) (string, error) {
	etag := f.etag()
	if !validETag(etag) {
		return "", fmt.Errorf("%s: the listing gives no usable id (%q)", f.Path, etag)
	}
	final := filepath.Join(c.repoDir(l.Repo), "blobs", etag)
	if st, err := os.Stat(final); err == nil && st.Size() == f.Size {
		return final, nil
	}
	if c.offline {
		return "", c.offlineError(l, f.Path+" of "+l.Repo+"@"+f.Commit)
	}
	var err error
	for attempt := 1; attempt <= maxHubAttempts; attempt++ {
		if err = c.download(ctx, l, f, final); err == nil {
			return final, nil
		}
		var perm permanentError
		if errors.As(err, &perm) || ctx.Err() != nil {
			break
		}
		c.progress("%s: %s: %v; resuming (attempt %d of %d)", l.Repo, f.Path, err, attempt+1, maxHubAttempts)
	}
	return "", fmt.Errorf("%s: %w", f.Path, err)
}

func validETag(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// permanentError is a download failure that retrying cannot fix.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// download fetches f into final: metadata by HEAD on the resolve URL, then
// a GET of the CDN location that resumes the partial file.
func (c *hubClient) download(ctx context.Context, l *HubLoader, f *hubFile, final string) error {
	resolve := c.endpoint + "/datasets/" + l.Repo + "/resolve/" + f.Commit + "/" + escapePath(f.Path)
	loc, err := c.head(ctx, resolve, f)
	if err != nil {
		return err
	}
	part := final + ".incomplete"
	if err := os.MkdirAll(filepath.Dir(part), 0o755); err != nil {
		return permanentError{err}
	}
	out, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return permanentError{err}
	}
	defer out.Close()
	have, err := out.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if have > f.Size {
		if err := out.Truncate(0); err != nil {
			return err
		}
		have = 0
	}
	if have < f.Size {
		if have, err = c.getRange(ctx, loc, out, have); err != nil {
			return err
		}
	}
	if have != f.Size {
		return fmt.Errorf("got %d bytes, want %d", have, f.Size)
	}
	if err := verify(out, f); err != nil {
		out.Close()
		os.Remove(part)
		return permanentError{err}
	}
	if err := out.Close(); err != nil {
		return err
	}
	c.progress("%s: downloaded %s (%d bytes, commit %.12s)", l.Repo, f.Path, f.Size, f.Commit)
	return os.Rename(part, final)
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// head reads the file's metadata without following the redirect and
// returns the URL to GET. The ETag and commit must match the listing.
func (c *hubClient) head(ctx context.Context, resolve string, f *hubFile) (string, error) {
	req, err := c.request(ctx, http.MethodHead, resolve)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept-Encoding", "identity")
	noRedirect := *c.http
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noRedirect.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		resp.StatusCode = http.StatusOK // a redirect to the CDN is the normal answer
	}
	if err := c.statusError(resp); err != nil {
		return "", permanentError{err}
	}
	if rc := resp.Header.Get("X-Repo-Commit"); rc != "" && rc != f.Commit {
		return "", permanentError{fmt.Errorf("the Hub serves commit %s, the listing is of %s", rc, f.Commit)}
	}
	etag := resp.Header.Get("X-Linked-Etag")
	if etag == "" {
		etag = resp.Header.Get("ETag")
	}
	etag = strings.Trim(strings.TrimPrefix(etag, "W/"), `"`)
	if etag != "" && etag != f.etag() {
		return "", permanentError{fmt.Errorf("ETag %s differs from the listed id %s: the file changed under a pinned revision", etag, f.etag())}
	}
	if s := resp.Header.Get("X-Linked-Size"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n != f.Size {
			return "", permanentError{fmt.Errorf("size %d differs from the listed size %d", n, f.Size)}
		}
	}
	loc := resolve
	if l := resp.Header.Get("Location"); l != "" {
		base, _ := url.Parse(resolve)
		t, err := url.Parse(l)
		if err != nil {
			return "", permanentError{fmt.Errorf("bad redirect %q", l)}
		}
		loc = base.ResolveReference(t).String()
	}
	return loc, nil
}

// getRange appends the bytes from offset have on to out and returns the
// new length. A server that ignores Range gets the file rewritten.
func (c *hubClient) getRange(ctx context.Context, u string, out *os.File, have int64) (int64, error) {
	req, err := c.request(ctx, http.MethodGet, u)
	if err != nil {
		return have, err
	}
	if have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return have, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
		if !strings.HasPrefix(resp.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-", have)) {
			return have, fmt.Errorf("GET %s: Content-Range %q does not start at %d", path.Base(u), resp.Header.Get("Content-Range"), have)
		}
	case http.StatusOK:
		if err := out.Truncate(0); err != nil {
			return 0, err
		}
		if _, err := out.Seek(0, io.SeekStart); err != nil {
			return 0, err
		}
		have = 0
	default:
		if err := c.statusError(resp); err != nil {
			return have, permanentError{err}
		}
		return have, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	n, err := io.Copy(out, resp.Body)
	return have + n, err
}

// verify checks the content of out against the listing.
func verify(out *os.File, f *hubFile) error {
	if _, err := out.Seek(0, io.SeekStart); err != nil {
		return err
	}
	var h hash.Hash
	want := f.SHA256
	if want != "" {
		h = sha256.New()
	} else {
		h = sha1.New()
		fmt.Fprintf(h, "blob %d\x00", f.Size)
		want = f.OID
	}
	if _, err := io.Copy(h, out); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("checksum mismatch: got %s, want %s; the partial download was removed", got, want)
	}
	return nil
}
