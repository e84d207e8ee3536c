package report

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// seedLines returns lines (1-based numbers) of testdata/seed.txt.
func seedLines(t *testing.T, nums ...int) map[int]string {
	t.Helper()
	f, err := os.Open("../testdata/seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[int]bool{}
	for _, n := range nums {
		want[n] = true
	}
	got := map[int]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if want[n] {
			got[n] = sc.Text()
		}
	}
	if len(got) != len(nums) {
		t.Fatalf("seed.txt: found %d of lines %v", len(got), nums)
	}
	return got
}

// dumpDOM renders url in headless Chromium and returns the DOM after the
// page's script ran.
func dumpDOM(t *testing.T, chromium, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=5000", "--dump-dom", url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return string(out)
}

var clusterTagRE = regexp.MustCompile(`<div class="cluster" [^>]*>`)

func attr(tag, name string) string {
	m := regexp.MustCompile(` ` + name + `="([^"]*)"`).FindStringSubmatch(tag)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestBrowser opens a report of the seed's two clusters, plus one cluster
// of mask cases, in headless Chromium. It runs only where chromium is
// installed (scripts/report-browser-test.sh installs it).
func TestBrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not on PATH")
	}
	seed := seedLines(t, 2, 3, 16, 19)
	m := func(line int, kept bool, reason string, sim float64) Member {
		return Member{ID: "testdata/seed.txt:" + itoa(line), Kept: kept, Reason: reason, Similarity: sim, Text: seed[line], Source: "testdata/seed.txt"}
	}
	// Nine mask runs: XXX, XX, 20**, ××, 某某, ○○, □□, ＊＊, X (beside 光);
	// XXL, Xbox, 3×4, 某人 and the lone X of "Mr. X said" are not masks.
	masked := "其中XXX、XX新材料，20**年，××、某某、○○、□□、＊＊年，XXL码 Xbox 3×4 某人 X光 Mr. X said"
	in := Input{
		Stats:            json.RawMessage(seedStats),
		PairSimilarities: []float64{1, 0.8203},
		Clusters: []Cluster{
			{ID: 0, Members: []Member{m(2, true, "exact", 1), m(3, false, "exact", 1)}},
			{ID: 1, Members: []Member{m(16, true, "near", 1), m(19, false, "near", 0.8203)}},
			{ID: 7, Members: []Member{{ID: "k", Kept: true, Text: masked}, {ID: "r", Text: masked + "。", Similarity: 0.99, Reason: "near"}}},
		},
	}
	path := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(f, &in); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	dom := dumpDOM(t, chromium, "file://"+path+"#cluster=1")
	for _, want := range []string{`data-rendered="1"`, `data-read="20"`, `data-kept="18"`, `data-removed="2"`, "<ins>19</ins>", "<del>立邦</del>", `<span class="mask">XXX</span>`, `<span class="mask">*</span>`} {
		if !strings.Contains(dom, want) {
			t.Errorf("DOM lacks %q", want)
		}
	}
	tag := clusterTagRE.FindString(dom)
	if attr(tag, "data-cluster-id") != "1" || attr(tag, "data-members") != "testdata/seed.txt:16 testdata/seed.txt:19" {
		t.Fatalf("opened cluster: %q", tag)
	}
	for _, a := range []string{"data-ins", "data-del", "data-masks"} {
		if v := attr(tag, a); v == "" || v == "0" {
			t.Errorf("%s = %q in %s", a, v, tag)
		}
	}
	if n := len(regexp.MustCompile(`<li class="cluster-row[^"]*" data-cluster-id="\d+"`).FindAllString(dom, -1)); n != 3 {
		t.Errorf("%d rows in the cluster list, want 3", n)
	}

	dom = dumpDOM(t, chromium, "file://"+path+"#cluster=7")
	tag = clusterTagRE.FindString(dom)
	// Each side shows the nine masks; the only difference is the final 。.
	if attr(tag, "data-cluster-id") != "7" || attr(tag, "data-masks") != "18" || attr(tag, "data-ins") != "1" || attr(tag, "data-del") != "0" {
		t.Errorf("mask cluster: %s", tag)
	}
	if strings.Contains(dom, `<span class="mask">XXL`) || strings.Contains(dom, `X</span>box`) || !strings.Contains(dom, `<span class="mask">X</span>光`) {
		t.Error("X rule: XXL or Xbox masked, or X光 not masked")
	}
}

// TestBrowserLarge checks that a page of 100,000 clusters renders, and
// that searching by text and by id was wired (the first page is listed).
func TestBrowserLarge(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not on PATH")
	}
	if testing.Short() {
		t.Skip("100,000 clusters")
	}
	in := Input{Clusters: synthetic(100_000, 3000)}
	path := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(f, &in); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	dom := dumpDOM(t, chromium, "file://"+path+"#cluster=99999")
	t.Logf("rendered in %v", time.Since(start))
	if !strings.Contains(dom, `data-rendered="1"`) || !strings.Contains(dom, "page 2,000 of 2,000") {
		t.Error("large page did not render, or cluster 99999 is not on the last page")
	}
	tag := clusterTagRE.FindString(dom)
	if attr(tag, "data-cluster-id") != "99999" {
		t.Errorf("opened cluster: %s", tag)
	}
	if !strings.Contains(dom, "Texts are inlined for ") {
		t.Error("the page does not say that texts were left out")
	}
}
