package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// chromiumPath finds Debian's chromium. Without it the browser tests skip, except on
// CI (CI=true), where scripts/install-test-deps.sh installs it and its absence fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; scripts/install-test-deps.sh installs it (apt-get install chromium)")
	}
	t.Skip("chromium is not installed (apt-get install chromium); skipping the browser test")
	return ""
}

// chromiumArgs are the flags that let Chromium run headless as root in a container
// without touching the network (no name resolves) or a profile outside dir.
func chromiumArgs(dir string) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + dir}
}

// cdp is a minimal Chrome DevTools Protocol client over --remote-debugging-pipe:
// Chromium reads NUL-terminated JSON commands on fd 3 and writes replies and events
// on fd 4. It is just enough to load a page and watch what it does.
type cdp struct {
	cmd    *exec.Cmd
	w      *os.File
	mu     sync.Mutex
	nextID int
	wait   map[int]chan cdpMsg
	events chan cdpMsg
	done   chan struct{}
	stderr strings.Builder
}

type cdpMsg struct {
	ID        int                       `json:"id,omitempty"`
	Method    string                    `json:"method,omitempty"`
	Params    json.RawMessage           `json:"params,omitempty"`
	Result    json.RawMessage           `json:"result,omitempty"`
	Error     *struct{ Message string } `json:"error,omitempty"`
	SessionID string                    `json:"sessionId,omitempty"`
}

func startCDP(t *testing.T, chromium string) *cdp {
	t.Helper()
	toChrome, ourEnd, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fromChrome, theirEnd, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	args := append(chromiumArgs(t.TempDir()), "--remote-debugging-pipe", "about:blank")
	c := &cdp{w: ourEnd, wait: map[int]chan cdpMsg{}, events: make(chan cdpMsg, 1024), done: make(chan struct{})}
	c.cmd = exec.Command(chromium, args...)
	c.cmd.ExtraFiles = []*os.File{toChrome, theirEnd} // fd 3, fd 4
	c.cmd.Stderr = &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toChrome.Close()
	theirEnd.Close()
	go c.read(fromChrome)
	t.Cleanup(func() {
		ourEnd.Close()
		_ = c.cmd.Process.Kill()
		_ = c.cmd.Wait()
		fromChrome.Close()
	})
	return c
}

func (c *cdp) read(r *os.File) {
	defer close(c.done)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			return
		}
		var m cdpMsg
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		if m.ID != 0 {
			c.mu.Lock()
			ch := c.wait[m.ID]
			delete(c.wait, m.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		select {
		case c.events <- m:
		default: // a page that floods events fails on what it did, not on a stall here
		}
	}
}

// call sends a command (to a page when session is set) and waits for its reply.
func (c *cdp) call(ctx context.Context, session, method string, params any, result any) error {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan cdpMsg, 1)
	c.wait[id] = ch
	c.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	b, _ := json.Marshal(msg)
	if _, err := c.w.Write(append(b, 0)); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-c.done:
		return fmt.Errorf("%s: chromium exited\n%s", method, c.stderr.String())
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// pageReport is what loading a page did: console errors and warnings, uncaught
// exceptions, log entries (failed loads among them), and every request for
// something other than the page itself or inline data.
type pageReport struct {
	Problems []string
	Requests []string
	Names    []string // text of the partition-name cells
	Text     string   // document.body.innerText
}

// load opens url in a new tab and reports what happened until the load event and
// a short settle time after it.
func (c *cdp) load(ctx context.Context, url string) (*pageReport, error) {
	var target struct{ TargetID string }
	if err := c.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	var att struct{ SessionID string }
	if err := c.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att); err != nil {
		return nil, err
	}
	s := att.SessionID
	for _, m := range []string{"Runtime.enable", "Log.enable", "Network.enable", "Page.enable"} {
		if err := c.call(ctx, s, m, nil, nil); err != nil {
			return nil, err
		}
	}
	if err := c.call(ctx, s, "Page.navigate", map[string]any{"url": url}, nil); err != nil {
		return nil, err
	}
	rep := &pageReport{}
	loaded := false
	var settle <-chan time.Time
	for settle == nil || !loaded {
		select {
		case ev := <-c.events:
			if ev.SessionID != s {
				continue
			}
			rep.event(ev, url)
			if ev.Method == "Page.loadEventFired" {
				loaded = true
				settle = time.After(500 * time.Millisecond)
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("page did not load: %w", ctx.Err())
		case <-c.done:
			return nil, fmt.Errorf("chromium exited\n%s", c.stderr.String())
		}
	}
	for waiting := true; waiting; {
		select {
		case ev := <-c.events:
			if ev.SessionID == s {
				rep.event(ev, url)
			}
		case <-settle:
			waiting = false
		}
	}
	var names struct {
		Result struct{ Value []string }
	}
	if err := c.call(ctx, s, "Runtime.evaluate", map[string]any{"returnByValue": true,
		"expression": `Array.from(document.querySelectorAll(".pname")).map(e => e.textContent)`}, &names); err != nil {
		return nil, err
	}
	rep.Names = names.Result.Value
	var text struct {
		Result struct{ Value string }
	}
	if err := c.call(ctx, s, "Runtime.evaluate", map[string]any{"returnByValue": true, "expression": `document.body.innerText`}, &text); err != nil {
		return nil, err
	}
	rep.Text = text.Result.Value
	return rep, nil
}

func (r *pageReport) event(ev cdpMsg, page string) {
	switch ev.Method {
	case "Runtime.consoleAPICalled":
		var p struct {
			Type string
			Args []struct {
				Value       any
				Description string
			}
		}
		_ = json.Unmarshal(ev.Params, &p)
		if p.Type == "error" || p.Type == "warning" || p.Type == "assert" {
			var parts []string
			for _, a := range p.Args {
				parts = append(parts, fmt.Sprint(a.Value)+a.Description)
			}
			r.Problems = append(r.Problems, "console."+p.Type+": "+strings.Join(parts, " "))
		}
	case "Runtime.exceptionThrown":
		var p struct {
			ExceptionDetails struct{ Text string }
		}
		_ = json.Unmarshal(ev.Params, &p)
		r.Problems = append(r.Problems, "exception: "+p.ExceptionDetails.Text)
	case "Log.entryAdded":
		var p struct {
			Entry struct{ Level, Text, URL string }
		}
		_ = json.Unmarshal(ev.Params, &p)
		if p.Entry.Level == "error" || p.Entry.Level == "warning" {
			r.Problems = append(r.Problems, "log "+p.Entry.Level+": "+p.Entry.Text+" "+p.Entry.URL)
		}
	case "Network.requestWillBeSent":
		var p struct {
			Request struct{ URL string }
		}
		_ = json.Unmarshal(ev.Params, &p)
		u := p.Request.URL
		if u != page && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "about:") {
			r.Requests = append(r.Requests, u)
		}
	case "Network.loadingFailed":
		var p struct{ ErrorText string }
		_ = json.Unmarshal(ev.Params, &p)
		r.Problems = append(r.Problems, "load failed: "+p.ErrorText)
	}
}
