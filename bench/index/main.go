// Command index-load measures the check service of quchong serve on
// loopback: an index (made by quchong dedup --index), a server in this
// process on 127.0.0.1, and for each client count a bounded run of checks
// while one writer adds documents, then check latency p50/p99, checks per
// second and the process's memory. It sends nothing beyond 127.0.0.1.
//
//	go run ./bench/index -index IDX -corpus zh_mix_150mb.jsonl.zst -clients 1,8,64 -duration 10s
//
// With -url and -pid it drives a server already running elsewhere (quchong
// serve, another process on this machine) instead, and reports the
// server's CPU and peak memory apart from its own (the load generator's):
//
//	quchong serve --index IDX --addr 127.0.0.1:8088 --token-file TOK &
//	go run ./bench/index -url http://127.0.0.1:8088 -pid $! -token-file TOK -corpus ... -clients 1,8,64
//
// Every add acknowledged during the run is checked after it: it must be
// found as an exact match (an acknowledged add is visible at once).
//
// Queries are documents of -corpus (the first -queries): a third as they
// are, a third with every 30th character replaced, a third reversed (new
// documents, which share no band key with anything), so that the exact
// path, the near path (band lookups, signature screen, text verification)
// and the miss are all measured.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/quchong/quchong/index"
	"github.com/quchong/quchong/serve"
)

func main() {
	idx := flag.String("index", "", "index `DIR` (required)")
	corpusPath := flag.String("corpus", "", "JSONL[.zst] `FILE` to draw queries from (required)")
	clients := flag.String("clients", "1,8,64", "comma-separated client counts")
	duration := flag.Duration("duration", 10*time.Second, "how long each client count runs")
	nq := flag.Int("queries", 20000, "documents of the corpus to query with")
	batch := flag.Int("batch", 1, "documents a check request (more than 1: the batch form, {\"documents\": [...]}; latencies are a request's)")
	addEvery := flag.Duration("add-every", 50*time.Millisecond, "one add request this often during the checks (0: none)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to `FILE`")
	url := flag.String("url", "", "drive the server at `URL` instead of one in this process")
	pid := flag.Int("pid", 0, "with -url: the server's process id, whose CPU time and peak memory are reported")
	tokenFile := flag.String("token-file", "", "with -url: `FILE` holding the server's bearer token (for adds)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if (*idx == "") == (*url == "") || *corpusPath == "" {
		flag.Usage()
		os.Exit(2)
	}
	srv := server{url: *url, pid: *pid}
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "index-load:", err)
			os.Exit(1)
		}
		srv.token = strings.TrimSpace(string(b))
	}
	srv.batch = max(1, *batch)
	if err := run(*idx, *corpusPath, srv, *clients, *duration, *nq, *addEvery); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "index-load:", err)
		os.Exit(1)
	}
}

// server is the server under load: in this process (pid 0) or another.
type server struct {
	url, token string
	pid        int
	batch      int // documents a check request
}

func run(dir, corpusPath string, srv server, clientList string, duration time.Duration, nq int, addEvery time.Duration) error {
	texts, err := readTexts(corpusPath, nq)
	if err != nil {
		return err
	}
	if srv.url == "" {
		t0 := time.Now()
		ix, err := index.Open(dir, index.Options{})
		if err != nil {
			return err
		}
		defer ix.Close()
		v, docs := ix.Head()
		fmt.Printf("index %s: version %d, %d documents (opened in %.2f s, %d MiB of posting lists in memory); %d query texts\n",
			dir, v, docs, time.Since(t0).Seconds(), ix.MemoryListBytes()>>20, len(texts))
		srv.token = "load-test-token"
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go serve.Run(ctx, ln, serve.New(ix, serve.Options{Token: srv.token}), 5*time.Second)
		srv.url = "http://" + ln.Addr().String()
	} else {
		fmt.Printf("server %s (pid %d); %d query texts\n", srv.url, srv.pid, len(texts))
	}
	fmt.Printf("%8s %9s %10s %9s %9s %9s %8s %6s %6s %12s %12s\n", "clients", "checks", "checks/s", "p50 ms", "p99 ms", "max ms", "dup %", "adds", "errors", "CPU µs/check", "load gen µs")
	var added []string
	for _, f := range strings.Split(clientList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("-clients %q", clientList)
		}
		ids, err := measure(srv, texts, n, duration, addEvery)
		if err != nil {
			return err
		}
		added = append(added, ids...)
	}
	if srv.pid == 0 {
		fmt.Printf("max RSS %s MiB (server and clients, one process)\n", maxRSS("self"))
	} else {
		fmt.Printf("max RSS: server %s MiB, load generator %s MiB\n", maxRSS(strconv.Itoa(srv.pid)), maxRSS("self"))
	}
	return checkAdded(srv, texts, added)
}

// checkAdded checks that every acknowledged add is found as an exact match.
func checkAdded(srv server, texts []string, added []string) error {
	c := &serve.Client{URL: srv.url}
	for _, a := range added {
		id, text := addDoc(a, texts)
		r, err := c.CheckOne(context.Background(), serve.Document{Text: &text})
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(r.Matches, func(m serve.Match) bool { return m.ID == id && m.Reason == "exact" }) {
			return fmt.Errorf("acknowledged add %s not found: %+v", id, r.Matches)
		}
	}
	fmt.Printf("%d acknowledged adds, every one found as an exact match\n", len(added))
	return nil
}

// addDoc is the id and text of an added document, from its name.
func addDoc(name string, texts []string) (string, string) {
	var i int
	fmt.Sscanf(name[strings.LastIndexByte(name, '-')+1:], "%d", &i)
	return name, name + " " + perturb(texts[(i*7919)%len(texts)])
}

// measure runs n clients checking for d, and one adder, prints a line and
// returns the names of the documents added.
func measure(srv server, texts []string, n int, d time.Duration, addEvery time.Duration) ([]string, error) {
	ctx := context.Background()
	client := &serve.Client{URL: srv.url, Token: srv.token, HTTP: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n + 2}}}
	cpu0, scpu0 := cpuSeconds("self"), cpuSeconds(strconv.Itoa(srv.pid))
	deadline := time.Now().Add(d)
	var mu sync.Mutex
	var lat []time.Duration
	var dups, errs atomic.Int64
	var added []string
	var wg sync.WaitGroup
	for c := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for i := c; time.Now().Before(deadline); i += n * srv.batch {
				docs := make([]serve.Document, srv.batch)
				for j := range docs {
					k := i + j*n
					text := texts[k%len(texts)]
					switch k % 3 {
					case 1:
						text = perturb(text)
					case 2:
						text = reverse(text) // a new document: no shingle in common
					}
					docs[j] = serve.Document{Text: &text}
				}
				start := time.Now()
				var rs []serve.CheckResult
				var err error
				if srv.batch == 1 {
					var r serve.CheckResult
					r, err = client.CheckOne(ctx, docs[0])
					rs = []serve.CheckResult{r}
				} else {
					rs, err = client.Check(ctx, docs)
				}
				if err != nil || len(rs) != len(docs) {
					errs.Add(1)
					continue
				}
				mine = append(mine, time.Since(start))
				for _, r := range rs {
					if r.Duplicate {
						dups.Add(1)
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	if addEvery > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				id, text := addDoc(fmt.Sprintf("load-%d-%d-%d", n, time.Now().UnixNano(), i), texts)
				if _, err := client.Add(ctx, []serve.Document{{ID: id, Text: &text}}); err != nil {
					errs.Add(1)
				} else {
					added = append(added, id)
				}
				time.Sleep(addEvery)
			}
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	q := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	checks := len(lat) * srv.batch
	per := func(s float64) float64 { return s * 1e6 / float64(max(1, checks)) }
	cpu, gen := per(cpuSeconds("self")-cpu0), "-"
	if srv.pid != 0 {
		// The server's CPU a check; the load generator's apart.
		cpu, gen = per(cpuSeconds(strconv.Itoa(srv.pid))-scpu0), fmt.Sprintf("%.0f", cpu)
	}
	fmt.Printf("%8d %9d %10.0f %9.2f %9.2f %9.2f %8.1f %6d %6d %12.0f %12s\n", n, checks, float64(checks)/d.Seconds(), q(0.5), q(0.99), q(1), 100*float64(dups.Load())/float64(max(1, checks)), len(added), errs.Load(), cpu, gen)
	if errs.Load() > 0 {
		return nil, fmt.Errorf("%d requests failed", errs.Load())
	}
	return added, nil
}

// reverse reverses the characters of s.
func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}

// perturb replaces every 30th character.
func perturb(s string) string {
	r := []rune(s)
	for i := 29; i < len(r); i += 30 {
		r[i] = '之'
	}
	return string(r)
}

// readTexts reads the texts of the first n documents of a JSONL[.zst] file.
func readTexts(path string, n int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".zst") {
		zr, err := zstd.NewReader(f)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 64<<20)
	var texts []string
	for sc.Scan() && len(texts) < n {
		var d struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		texts = append(texts, d.Text)
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("%s: no documents", path)
	}
	return texts, sc.Err()
}

// cpuSeconds returns the user+system CPU time of a process ("self" or a
// pid; "0" is self too), from /proc.
func cpuSeconds(pid string) float64 {
	if pid == "0" {
		pid = "self"
	}
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name (in parentheses): utime and stime are
	// the 12th and 13th, in clock ticks (100 a second on Linux).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100
}

// maxRSS returns a process's peak resident memory in MiB, from /proc.
func maxRSS(pid string) string {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.Atoi(f[1])
			return strconv.Itoa(kb / 1024)
		}
	}
	return "?"
}
