package report

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The browser test opens a report in headless Chromium (Debian's chromium
// package, which .ci/run installs) and drives it over the Chrome DevTools
// Protocol on a pipe (--remote-debugging-pipe: file descriptors 3 and 4,
// NUL-separated JSON), so it needs no WebSocket library and no browser
// download. It checks that the page logs no console error and throws no
// exception, that every chart bar carries and draws the report's number,
// that the filter and the method selector narrow the table, and that a
// finding holding <script>alert(1)</script> shows it as text and opens
// no dialog. It saves a screenshot and logs its path.

// chromiumFlags are the flags the issue asks for, plus the pipe.
var chromiumFlags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
	"--disable-background-networking", "--remote-debugging-pipe", "--hide-scrollbars"}

func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func TestReportInChromium(t *testing.T) {
	bin := findChromium()
	if bin == "" && os.Getenv("CI") == "true" {
		t.Fatal("chromium not found, and CI must run the browser test: .ci/run installs Debian's chromium package")
	}
	if bin == "" {
		t.Skip("chromium not found: install Debian's chromium package (apt-get install chromium; .ci/run does) to run the browser test")
	}
	dir := t.TempDir()
	rep := fixtureReport(t, Options{Title: "browser test", FindingsFile: "findings.jsonl"})
	page := filepath.Join(dir, "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(f, rep); err != nil {
		t.Fatal(err)
	}
	f.Close()

	b := startBrowser(t, bin, filepath.Join(dir, "profile"))
	defer b.close()
	s := b.open(t, "file://"+page)

	checkCharts(t, s, rep)
	checkFilter(t, s, rep)
	checkXSS(t, s, rep)

	shot := screenshotPath(t)
	png := s.call(t, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true})
	var img struct{ Data string }
	json.Unmarshal(png, &img)
	data, err := base64.StdEncoding.DecodeString(img.Data)
	if err != nil || len(data) < 1000 {
		t.Fatalf("screenshot: %d bytes, %v", len(data), err)
	}
	if err := os.WriteFile(shot, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)
	s.drain(t)
	if errs := b.problems(); len(errs) > 0 {
		t.Errorf("the page reported errors: %v", errs)
	}
}

// screenshotPath is $LEAKHOUND_SCREENSHOT_DIR/report.png, or a file in
// the system's temporary directory that outlives the test.
func screenshotPath(t *testing.T) string {
	dir := os.Getenv("LEAKHOUND_SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "leakhound-browser-test")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "report.png")
}

// checkCharts compares every bar with the report.
func checkCharts(t *testing.T, s *session, rep *Report) {
	var bars []struct {
		Bench, Method string
		Found         int
		Percent       string
		Drawn         float64
	}
	s.eval(t, `Array.from(document.querySelectorAll('svg.bench-chart rect.bar')).map(r => ({bench: r.dataset.bench,
		method: r.dataset.method, found: Number(r.dataset.found), percent: r.dataset.percent, drawn: r.getBBox().width}))`, &bars)
	want := 0
	for _, bm := range rep.Benchmarks {
		for _, st := range bm.Methods {
			want++
			found := false
			for _, bar := range bars {
				if bar.Bench == bm.Name && bar.Method == st.Method {
					found = true
					if bar.Found != st.Found || bar.Percent != fmt.Sprintf("%.2f", st.Percent) || (st.Found > 0) != (bar.Drawn > 0) {
						t.Errorf("bar %s/%s: %+v, report found %d (%.2f%%)", bm.Name, st.Method, bar, st.Found, st.Percent)
					}
				}
			}
			if !found {
				t.Errorf("no bar for %s/%s", bm.Name, st.Method)
			}
		}
	}
	if len(bars) != want || want == 0 {
		t.Errorf("%d bars drawn, report has %d", len(bars), want)
	}
	var hist map[string][]int64
	s.eval(t, `(() => { const h = {}; document.querySelectorAll('svg.score-chart rect.hbar').forEach(r => {
		(h[r.dataset.method] = h[r.dataset.method] || [])[Number(r.dataset.bin)] = Number(r.dataset.count); }); return h; })()`, &hist)
	for _, h := range rep.Scores {
		if fmt.Sprint(hist[h.Method]) != fmt.Sprint(h.Counts) {
			t.Errorf("histogram %s: page %v, report %v", h.Method, hist[h.Method], h.Counts)
		}
	}
}

// checkFilter types into the filter and picks a method, and counts rows.
func checkFilter(t *testing.T, s *session, rep *Report) {
	count := func(pred func(i int) bool) int {
		n := 0
		for i := range rep.Table.Rows {
			if pred(i) {
				n++
			}
		}
		return n
	}
	var rows int
	s.eval(t, `document.querySelectorAll('#findings tbody tr').length`, &rows)
	if rows != len(rep.Table.Rows) {
		t.Errorf("table shows %d rows, report has %d", rows, len(rep.Table.Rows))
	}
	s.eval(t, `(() => { const f = document.getElementById('filter'); f.value = 'sample/test/2';
		f.dispatchEvent(new Event('input', {bubbles: true})); return document.querySelectorAll('#findings tbody tr').length; })()`, &rows)
	if want := count(func(i int) bool { return rep.Table.Rows[i].Item == "sample/test/2" }); rows != want || want == 0 {
		t.Errorf("filter 'sample/test/2': %d rows, want %d", rows, want)
	}
	s.eval(t, `(() => { const f = document.getElementById('filter'); f.value = '';
		f.dispatchEvent(new Event('input', {bubbles: true})); const m = document.getElementById('f-method'); m.value = 'palm';
		m.dispatchEvent(new Event('change', {bubbles: true})); return document.querySelectorAll('#findings tbody tr').length; })()`, &rows)
	if want := count(func(i int) bool { return rep.Table.Rows[i].Method == "palm" }); rows != want || want == 0 {
		t.Errorf("method palm: %d rows, want %d", rows, want)
	}
	var methods []string
	s.eval(t, `Array.from(document.querySelectorAll('#findings tbody tr td:nth-child(4)')).map(td => td.textContent)`, &methods)
	for _, m := range methods {
		if m != "palm" {
			t.Errorf("method filter shows a %s row", m)
		}
	}
	s.eval(t, `(() => { const m = document.getElementById('f-method'); m.value = ''; m.dispatchEvent(new Event('change'));
		return document.querySelectorAll('#findings tbody tr').length; })()`, &rows)
}

// checkXSS opens the finding whose texts hold script tags.
func checkXSS(t *testing.T, s *session, rep *Report) {
	idx := -1
	for i, f := range rep.Table.Rows {
		if f.Benchmark == "xss" {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatal("the fixture has no xss finding")
	}
	var got struct {
		Scripts            int
		Doc, Item, DocMark string
		Injected           bool
	}
	s.eval(t, fmt.Sprintf(`(() => { const f = document.getElementById('filter'); f.value = 'xss';
		f.dispatchEvent(new Event('input')); leakhound.show(%d); const d = document.getElementById('detail-doc');
		return {scripts: document.scripts.length, doc: d.textContent, item: document.getElementById('detail-item').textContent,
		docMark: d.querySelector('mark') ? d.querySelector('mark').textContent : '',
		injected: !!document.querySelector('#detail img, #detail b, #detail i, #detail script')}; })()`, idx), &got)
	if got.Scripts != 2 || got.Injected {
		t.Errorf("markup from the finding became elements: %d scripts, injected %v", got.Scripts, got.Injected)
	}
	if got.DocMark != "<script>alert(1)</script>" || !strings.Contains(got.Doc, "</script><script>alert(3)</script>") {
		t.Errorf("corpus side: marked %q in %q", got.DocMark, got.Doc)
	}
	if !strings.Contains(got.Item, "<img src=x onerror=alert(2)>") {
		t.Errorf("item side: %q", got.Item)
	}
}

// browser is a headless Chromium driven over --remote-debugging-pipe.
type browser struct {
	cmd  *exec.Cmd
	w    *os.File
	r    *bufio.Reader
	id   int
	errs []string
	stop *time.Timer
}

type session struct {
	b  *browser
	id string
}

func startBrowser(t *testing.T, bin, profile string) *browser {
	toChrome, ourEnd, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fromChrome, chromeEnd, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{}, chromiumFlags...), "--user-data-dir="+profile, "--window-size=1200,1600", "about:blank")
	cmd := exec.Command(bin, args...)
	cmd.ExtraFiles = []*os.File{toChrome, chromeEnd} // fds 3 and 4
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toChrome.Close()
	chromeEnd.Close()
	b := &browser{cmd: cmd, w: ourEnd, r: bufio.NewReader(fromChrome)}
	// A hung browser is killed, which ends every read with an error.
	b.stop = time.AfterFunc(90*time.Second, func() { cmd.Process.Kill() })
	return b
}

func (b *browser) close() {
	b.send("Browser.close", nil, "")
	done := make(chan struct{})
	go func() { b.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		b.cmd.Process.Kill()
		<-done
	}
	b.stop.Stop()
}

func (b *browser) send(method string, params any, sessionID string) int {
	b.id++
	msg := map[string]any{"id": b.id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if sessionID != "" {
		msg["sessionId"] = sessionID
	}
	data, _ := json.Marshal(msg)
	b.w.Write(append(data, 0))
	return b.id
}

// message is one CDP message: a reply (ID) or an event (Method).
type message struct {
	ID     int             `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// next reads one message and records the events that count as errors.
func (b *browser) next() (message, error) {
	data, err := b.r.ReadBytes(0)
	if err != nil {
		return message{}, fmt.Errorf("reading from chromium: %w", err)
	}
	var m message
	if err := json.Unmarshal(data[:len(data)-1], &m); err != nil {
		return m, err
	}
	switch m.Method {
	case "Runtime.exceptionThrown", "Page.javascriptDialogOpening":
		b.errs = append(b.errs, m.Method+": "+string(m.Params))
	case "Runtime.consoleAPICalled":
		var p struct{ Type string }
		json.Unmarshal(m.Params, &p)
		if p.Type == "error" || p.Type == "assert" {
			b.errs = append(b.errs, "console error: "+string(m.Params))
		}
	case "Log.entryAdded":
		var p struct {
			Entry struct{ Level, Text, URL string }
		}
		json.Unmarshal(m.Params, &p)
		if p.Entry.Level == "error" {
			b.errs = append(b.errs, "log error: "+p.Entry.Text+" "+p.Entry.URL)
		}
	}
	return m, nil
}

func (b *browser) problems() []string { return b.errs }

// call sends a command and waits for its reply.
func (b *browser) call(t *testing.T, method string, params any, sessionID string) json.RawMessage {
	t.Helper()
	id := b.send(method, params, sessionID)
	for {
		m, err := b.next()
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if m.ID == id {
			if m.Error != nil {
				t.Fatalf("%s: %s", method, m.Error.Message)
			}
			return m.Result
		}
	}
}

// open creates a page, attaches to it, enables the error events and
// loads url.
func (b *browser) open(t *testing.T, url string) *session {
	t.Helper()
	var target struct{ TargetID string }
	json.Unmarshal(b.call(t, "Target.createTarget", map[string]any{"url": "about:blank"}, ""), &target)
	var att struct{ SessionID string }
	json.Unmarshal(b.call(t, "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, ""), &att)
	s := &session{b: b, id: att.SessionID}
	for _, m := range []string{"Runtime.enable", "Log.enable", "Page.enable"} {
		s.call(t, m, nil)
	}
	s.call(t, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1200, "height": 1600, "deviceScaleFactor": 1, "mobile": false})
	s.call(t, "Page.navigate", map[string]any{"url": url})
	s.waitFor(t, "Page.loadEventFired")
	return s
}

func (s *session) call(t *testing.T, method string, params any) json.RawMessage {
	t.Helper()
	return s.b.call(t, method, params, s.id)
}

func (s *session) waitFor(t *testing.T, event string) {
	t.Helper()
	for {
		m, err := s.b.next()
		if err != nil {
			t.Fatalf("waiting for %s: %v", event, err)
		}
		if m.Method == event {
			return
		}
	}
}

// eval evaluates expr in the page and decodes its value into v.
func (s *session) eval(t *testing.T, expr string, v any) {
	t.Helper()
	res := s.call(t, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		t.Fatal(err)
	}
	if r.ExceptionDetails != nil {
		t.Fatalf("evaluating %s: %s %s", expr, r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	}
	if err := json.Unmarshal(r.Result.Value, v); err != nil {
		t.Fatalf("evaluating %s: %v (value %s)", expr, err, r.Result.Value)
	}
}

// drain lets pending events arrive: a round trip after the last action.
func (s *session) drain(t *testing.T) {
	var n int
	s.eval(t, `new Promise(r => setTimeout(() => r(1), 200))`, &n)
}
