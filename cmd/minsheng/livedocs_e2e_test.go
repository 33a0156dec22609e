package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"minsheng/indexer/analysis"
)

// liveDoc is one document the crash test posts.
type liveDoc struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Body string `json:"body"`
	Date string `json:"date,omitempty"`
	// Number repeats the id: number:<id> finds exactly this document
	Number string `json:"number"`
	Source string `json:"source"`
}

// readNews reads the first n news of news-2023 as documents to post.
func readNews(t *testing.T, n int) []liveDoc {
	t.Helper()
	path := filepath.Join(repoRoot(t), "..", "shared", "corpora", "news-2023", "news.jsonl.gz")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("needs ../shared/corpora/news-2023 (%v)", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var out []liveDoc
	for sc.Scan() && len(out) < n {
		var d liveDoc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil || d.Body == "" {
			continue
		}
		d.ID = "L-" + d.ID
		d.Kind, d.Number, d.Source = "news", d.ID, "live-e2e"
		out = append(out, d)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// bulk is one NDJSON request of the crash test and what came of it.
type bulk struct {
	docs  []liveDoc
	acked bool
}

// crashRun is the shared state of the crash test: the server being
// restarted under the clients.
type crashRun struct {
	t    *testing.T
	bin  string
	data string
	src  string

	mu   sync.Mutex // guards srv, up
	cond *sync.Cond // signalled when the server is up again
	srv  *server
	up   bool
}

// server waits until a server is up and returns it.
func (r *crashRun) server() *server {
	r.mu.Lock()
	defer r.mu.Unlock()
	for !r.up {
		r.cond.Wait()
	}
	return r.srv
}

// kill SIGKILLs the server and starts it again.
func (r *crashRun) kill() time.Duration {
	r.mu.Lock()
	r.up = false
	s := r.srv
	r.mu.Unlock()
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	start := time.Now()
	s = startServe(r.t, r.bin, r.data, r.src)
	took := time.Since(start)
	r.mu.Lock()
	r.srv, r.up = s, true
	r.cond.Broadcast()
	r.mu.Unlock()
	return took
}

// post sends one bulk as the editor; it is acknowledged only by a 200
// whose every item was made. why says what else came.
func post(s *server, b *bulk) (ok bool, why string) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for _, d := range b.docs {
		enc.Encode(d)
	}
	req, _ := http.NewRequest("POST", s.base+"/api/v1/docs", &body)
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+e2eEditor)
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
	if err != nil {
		return false, err.Error()
	}
	defer resp.Body.Close()
	js, err := io.ReadAll(resp.Body)
	var ans struct {
		Items []struct{ ID, Result, Error string }
	}
	if err != nil || resp.StatusCode != 200 || json.Unmarshal(js, &ans) != nil || len(ans.Items) != len(b.docs) {
		return false, fmt.Sprintf("%d %.300s %v", resp.StatusCode, js, err)
	}
	for i, it := range ans.Items {
		if it.ID != b.docs[i].ID || (it.Result != "created" && it.Result != "updated") {
			return false, fmt.Sprintf("item %d: %+v", i, it)
		}
	}
	return true, ""
}

const e2eEditor = "e2e-editor-token-of-24-characters"

// TestLiveDocsCrash: 4 clients post news of news-2023 in NDJSON bulks,
// then a correction of every tenth, while the server is SIGKILLed at 5
// random moments and restarted and a reindex job runs once in the middle.
// Afterwards every acknowledged document is served and searchable with its
// last acknowledged content, and of a bulk that was never answered either
// all or none is there. make test posts MINSHENG_LIVE_DOCS=2000 in bulks
// of MINSHENG_LIVE_BULK=50; make load 20,000 in bulks of 500.
func TestLiveDocsCrash(t *testing.T) {
	n, size := envInt("MINSHENG_LIVE_DOCS", 2000), envInt("MINSHENG_LIVE_BULK", 50)
	docs := readNews(t, n)
	bin := buildBinary(t)
	seed := uint64(envInt("MINSHENG_LIVE_SEED", int(time.Now().UnixNano()%1e9)))
	t.Logf("%d documents in bulks of %d, 4 clients, seed %d (MINSHENG_LIVE_SEED repeats it)", len(docs), size, seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	data, srcDir := t.TempDir(), t.TempDir()
	src := filepath.Join(srcDir, "base.jsonl")
	nBase := writeDocs(t, src, 50, 0)
	runIndexCmd(t, bin, data, src)
	t.Setenv("MINSHENG_EDITOR_TOKEN", e2eEditor)
	t.Setenv("MINSHENG_MAX_BODY_BYTES", strconv.Itoa(size*8<<10))
	r := &crashRun{t: t, bin: bin, data: data, src: src}
	r.cond = sync.NewCond(&r.mu)
	r.srv, r.up = startServe(t, bin, data, src), true

	// each client owns the documents i%4 == k: their first versions, then
	// corrections of every tenth, so one document's versions go in order
	var plans [4][]*bulk
	for k := range plans {
		var mine, fixes []liveDoc
		for i := k; i < len(docs); i += 4 {
			mine = append(mine, docs[i])
			if i%10 == 0 {
				fix := docs[i]
				fix.Body = "【更正】" + fix.Body
				fixes = append(fixes, fix)
			}
		}
		for _, l := range [][]liveDoc{mine, fixes} {
			for c := range slices.Chunk(l, size) {
				plans[k] = append(plans[k], &bulk{docs: c})
			}
		}
	}
	total := 0
	for _, p := range plans {
		total += len(p)
	}
	var kills []int
	for len(kills) < 5 {
		if k := total/10 + rng.IntN(max(1, total*8/10)); !slices.Contains(kills, k) {
			kills = append(kills, k)
		}
	}
	slices.Sort(kills)
	t.Logf("%d bulks; SIGKILL after bulks %v are answered, reindex after %d", total, kills, total/2)

	var (
		mu   sync.Mutex // guards done
		done int
		wg   sync.WaitGroup
	)
	start := time.Now()
	for k := range plans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, b := range plans[k] {
				var why string
				b.acked, why = post(r.server(), b)
				if !b.acked {
					t.Logf("client %d: bulk of %s… not answered: %s", k, b.docs[0].ID, why)
				}
				mu.Lock()
				done++
				mu.Unlock()
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	jobID := r.drive(&mu, &done, kills, total, rng, finished)
	elapsed := time.Since(start)
	r.finishReindex(jobID)

	c := r.check(plans)
	acked, unacked := 0, 0
	for _, p := range plans {
		for _, b := range p {
			if b.acked {
				acked++
			} else {
				unacked++
			}
		}
	}
	t.Logf("posted %d bulks in %s: %d acknowledged, %d unanswered (in flight at a kill)", total, elapsed.Round(time.Millisecond), acked, unacked)
	t.Logf("documents: %d acknowledged, %d searchable with their last acknowledged content, %d lost, %d duplicated, %d of unanswered bulks half-applied, %d with content never sent; %d of unanswered bulks applied whole",
		c.acked, c.good, c.lost, c.dup, c.half, c.foreign, c.wholeUnacked)
	if c.lost != 0 || c.dup != 0 || c.half != 0 || c.foreign != 0 || c.good != c.acked {
		t.Errorf("lost %d, duplicated %d, half-applied %d, foreign %d; want 0: %v", c.lost, c.dup, c.half, c.foreign, c.problems)
	}
	if c.served != nBase+c.present {
		t.Errorf("the index holds %d documents, want %d base + %d posted", c.served, nBase, c.present)
	}
}

// drive kills the server when the answered bulks reach each of kills, and
// starts a reindex job once half are answered. It returns the job's id.
func (r *crashRun) drive(mu *sync.Mutex, done *int, kills []int, total int, rng *rand.Rand, finished <-chan struct{}) string {
	var jobID string
	for {
		select {
		case <-finished:
			return jobID
		case <-time.After(20 * time.Millisecond):
		}
		mu.Lock()
		d := *done
		mu.Unlock()
		if jobID == "" && d >= total/2 {
			var j apiJob
			if code := r.server().call(r.t, "POST", "/api/v1/reindex", "", &j); code == http.StatusAccepted {
				jobID = j.ID
				r.t.Logf("reindex job %s started after %d bulks", j.ID, d)
			}
		}
		if len(kills) > 0 && d >= kills[0] {
			kills = kills[1:]
			time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond) // land inside a request
			took := r.kill()
			r.t.Logf("SIGKILL after %d bulks answered; serving again in %s", d, took.Round(time.Millisecond))
			if jobID != "" { // a job the kill interrupted runs again now
				var j apiJob
				if r.server().call(r.t, "GET", "/api/v1/jobs/"+jobID, "", &j); j.State == "failed" {
					r.t.Logf("reindex job %s interrupted by the kill: %s", jobID, j.Error)
					jobID = ""
				}
			}
		}
	}
}

// finishReindex waits for the reindex job; one a kill interrupted is run
// again, until one has succeeded.
func (r *crashRun) finishReindex(id string) {
	for try := 0; try < 5; try++ {
		if id == "" {
			var j apiJob
			if code := r.server().call(r.t, "POST", "/api/v1/reindex", "", &j); code != http.StatusAccepted {
				r.t.Fatalf("reindex: %d", code)
			}
			id = j.ID
		}
		j := r.server().pollJob(r.t, id, 5*time.Minute, func(j apiJob) bool { return j.State != "running" })
		r.t.Logf("reindex job %s: %s, %d documents %s", j.ID, j.State, j.Docs, j.Error)
		if j.State == "succeeded" {
			return
		}
		id = ""
	}
	r.t.Fatal("no reindex job succeeded in 5 tries")
}

// crashCounts is what the check found.
type crashCounts struct {
	acked, good, lost, dup, half, foreign, wholeUnacked, present, served int
	problems                                                             []string // the first ids of each kind of failure, for the log
}

// check reads every posted document back: its stored content, and a
// search for number:<id>.
func (r *crashRun) check(plans [4][]*bulk) crashCounts {
	type want struct {
		last    string   // body last acknowledged, "" when none
		later   []string // bodies sent after it without an answer
		sent    []string // every body sent
		bulks   int      // bulks it was in
		present string   // body served, "" when absent
	}
	wants := map[string]*want{}
	var order []string
	for _, p := range plans {
		for _, b := range p {
			for _, d := range b.docs {
				w := wants[d.ID]
				if w == nil {
					w = &want{}
					wants[d.ID] = w
					order = append(order, d.ID)
				}
				// served as indexed: cleaned of control characters
				body := analysis.Clean(d.Body)
				w.sent, w.bulks = append(w.sent, body), w.bulks+1
				if b.acked {
					w.last, w.later = body, nil
				} else {
					w.later = append(w.later, body)
				}
			}
		}
	}
	s := r.server()
	var c crashCounts
	var mu sync.Mutex // guards c and present
	var wg sync.WaitGroup
	ids := make(chan string)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				w := wants[id]
				var d liveDoc
				code := s.call(r.t, "GET", "/api/v1/docs/"+url.PathEscape(id), "", &d)
				var res struct {
					Total int `json:"total"`
					Hits  []struct {
						ID string `json:"id"`
					} `json:"hits"`
				}
				s.call(r.t, "GET", "/api/v1/search?q="+url.QueryEscape("number:"+id), "", &res)
				// a correction is searchable by its words, not only stored
				fixed := true
				if w.last != "" && strings.HasPrefix(w.last, "【更正】") && d.Body == w.last {
					var fx struct {
						Total int `json:"total"`
					}
					s.call(r.t, "GET", "/api/v1/search?q="+url.QueryEscape("更正 number:"+id), "", &fx)
					fixed = fx.Total == 1
				}
				mu.Lock()
				if code == 200 {
					w.present = d.Body
					c.present++
				}
				note := func(kind string) {
					if len(c.problems) < 20 {
						c.problems = append(c.problems, kind+" "+id)
					}
				}
				if res.Total > 1 || (res.Total == 1) != (code == 200) {
					c.dup++
					note("duplicated or unsearchable")
				}
				switch {
				case code == 200 && !slices.Contains(w.sent, d.Body):
					c.foreign++
					note("content never sent")
				case w.last != "" && (code != 200 || !fixed || (d.Body != w.last && !slices.Contains(w.later, d.Body))):
					c.lost++
					note("lost")
				case w.last != "":
					c.good++
				}
				if w.last != "" {
					c.acked++
				}
				mu.Unlock()
			}
		}()
	}
	for _, id := range order {
		ids <- id
	}
	close(ids)
	wg.Wait()
	// an unanswered bulk is all there or not at all: count its documents
	// that no other bulk sent
	for _, p := range plans {
		for _, b := range p {
			if b.acked {
				continue
			}
			only, there := 0, 0
			for _, d := range b.docs {
				if w := wants[d.ID]; w.bulks == 1 {
					only++
					if w.present == analysis.Clean(d.Body) {
						there++
					}
				}
			}
			if there == only && only > 0 {
				c.wholeUnacked++
			} else if there != 0 {
				c.half += there
			}
		}
	}
	var h struct {
		Docs int `json:"docs"`
	}
	s.call(r.t, "GET", "/healthz", "", &h)
	c.served = h.Docs
	return c
}
