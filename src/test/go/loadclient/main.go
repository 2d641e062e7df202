// loadclient drives rofs-guard the way kube-apiserver does: HTTP/2 over TLS with keep-alive, a transport
// configured as client-go configures its own (k8s.io/apimachinery/pkg/util/net.SetTransportDefaults plus
// http2.ConfigureTransports: 10 s TLS handshake, 90 s idle, 25 idle connections per host, pings after 30 s of
// silence with a 15 s timeout), bodies that can be replayed (GetBody) so the transport may retry a request
// refused by GOAWAY, and the webhook's 10 s timeout. Standard library only.
//
//	paced: an open-loop load at a fixed rate; every failure is counted; latency percentiles.
//	flood: concurrent large reviews, paced small reviews, idle TLS HTTP/2 connections (and health probes) at once.
//	probe: health probes every 100 ms, as a process of their own beside a flood.
//
// Prints one JSON object on stdout.
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func transport(caFile string) *http.Transport {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		panic("no certificate in " + caFile)
	}
	return &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, ServerName: "localhost"},
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: 10 * time.Second,
		IdleConnTimeout:     90 * time.Second,
		MaxIdleConnsPerHost: 25,
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		HTTP2:               &http.HTTP2Config{SendPingTimeout: 30 * time.Second, PingTimeout: 15 * time.Second},
	}
}

type recorder struct {
	mu        sync.Mutex
	latencies []time.Duration
	ok        int64
	failed    int64
	statuses  map[string]int64
	errors    map[string]int64
	protocols map[string]int64
	// connectRefused: failures before a connection was had (dial or TLS handshake), not in errors
	connectRefused int64
	// when failures happened, in seconds since the recorder was made: to line them up with the server's log
	created                   time.Time
	firstFailure, lastFailure float64
	// per second of sending (since created): requests, failures and the slowest answer, to see when a stall began
	bySecond []second
}

type second struct {
	N      int64   `json:"n"`
	Failed int64   `json:"failed"`
	MaxMs  float64 `json:"max_ms"`
}

func newRecorder() *recorder {
	return &recorder{statuses: map[string]int64{}, errors: map[string]int64{}, protocols: map[string]int64{}, created: time.Now(), firstFailure: -1}
}

func (r *recorder) post(c *http.Client, url string, body []byte, record bool) int {
	start := time.Now()
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body)) // *bytes.Reader: GetBody is set
	req.Header.Set("Content-Type", "application/json")
	// Whether a connection was had: an error before it is a refused connection (the server's connection limit),
	// one after it is a request the server dropped.
	var gotConn atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
	}))
	resp, err := c.Do(req)
	status := 0
	var proto string
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		status = resp.StatusCode
		proto = resp.Proto
	}
	elapsed := time.Since(start)
	r.mu.Lock()
	defer r.mu.Unlock()
	sec := int(start.Sub(r.created).Seconds())
	for len(r.bySecond) <= sec {
		r.bySecond = append(r.bySecond, second{})
	}
	r.bySecond[sec].N++
	if err != nil || status != 200 {
		r.bySecond[sec].Failed++
	}
	if ms := float64(elapsed.Microseconds()) / 1000; ms > r.bySecond[sec].MaxMs {
		r.bySecond[sec].MaxMs = ms
	}
	if err != nil || status != 200 {
		at := time.Since(r.created).Seconds()
		if r.firstFailure < 0 {
			r.firstFailure = at
		}
		r.lastFailure = at
	}
	if err != nil {
		r.failed++
		if !gotConn.Load() {
			r.connectRefused++
			return 0
		}
		msg := err.Error()
		if len(msg) > 160 {
			msg = msg[:160]
		}
		r.errors[msg]++
		return 0
	}
	r.statuses[fmt.Sprint(status)]++
	r.protocols[proto]++
	if status == 200 {
		r.ok++
	} else {
		r.failed++
	}
	if record {
		r.latencies = append(r.latencies, elapsed)
	}
	return status
}

func (r *recorder) summary() map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	pct := func(p float64) float64 {
		if len(r.latencies) == 0 {
			return 0
		}
		i := int(p * float64(len(r.latencies)-1))
		return float64(r.latencies[i].Microseconds()) / 1000
	}
	return map[string]any{"ok": r.ok, "failed": r.failed, "statuses": r.statuses, "errors": r.errors, "connect_refused": r.connectRefused,
		"protocols": r.protocols, "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99),
		"p999_ms": pct(0.999), "max_ms": pct(1.0), "measured": len(r.latencies),
		"failures_from_s": r.firstFailure, "failures_until_s": r.lastFailure, "started": r.created.Format("15:04:05.000"),
		"by_second": r.bySecond}
}

func clients(n int, ca string) []*http.Client {
	cs := make([]*http.Client, n)
	for i := range cs {
		cs[i] = &http.Client{Transport: transport(ca), Timeout: 10 * time.Second}
	}
	return cs
}

// paced sends at a fixed rate whatever the answers take (open loop), spread over n client-go-like transports.
func paced(cs []*http.Client, url string, body []byte, rate int, warmup, duration time.Duration) (*recorder, float64) {
	r := newRecorder()
	interval := time.Second / time.Duration(rate)
	total := int((warmup + duration) / interval)
	warm := int(warmup / interval)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < total; i++ {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r.post(cs[i%len(cs)], url, body, i >= warm)
		}(i)
	}
	sendSeconds := time.Since(start).Seconds()
	wg.Wait()
	return r, float64(total) / sendSeconds
}

func main() {
	mode := flag.String("mode", "paced", "paced | flood")
	url := flag.String("url", "https://127.0.0.1:8443/validate/audit", "admission URL")
	ca := flag.String("ca", "", "CA certificate (PEM)")
	bodyFile := flag.String("body", "", "review to send (paced) or small review (flood)")
	rate := flag.Int("rate", 2000, "requests per second (paced) or small requests per second (flood)")
	nclients := flag.Int("clients", 4, "transports (each keeps its own connections)")
	warmup := flag.Duration("warmup", 5*time.Second, "paced: load before measuring")
	duration := flag.Duration("duration", 20*time.Second, "measured duration")
	big := flag.String("big", "", "flood: large review")
	bigConcurrency := flag.Int("big-concurrency", 32, "flood: large reviews in flight at once")
	idle := flag.Int("idle", 0, "flood: idle TLS HTTP/2 connections to open")
	health := flag.String("health", "", "flood: health URL probed every 100 ms")
	flag.Parse()

	var body []byte
	if *mode != "probe" {
		var err error
		if body, err = os.ReadFile(*bodyFile); err != nil {
			panic(err)
		}
	}
	out := map[string]any{}
	switch *mode {
	case "paced":
		r, achieved := paced(clients(*nclients, *ca), *url, body, *rate, *warmup, *duration)
		out = r.summary()
		out["rate_sent"] = achieved
	case "probe":
		// Probes -health for -duration; the flood runs in another process.
		p := &prober{}
		stop := make(chan struct{})
		time.AfterFunc(*duration, func() { close(stop) })
		p.run(*health, stop)
		out = p.summary()
	case "flood":
		out = flood(*url, *ca, body, *big, *rate, *bigConcurrency, *idle, *health, *duration)
	default:
		panic("unknown mode " + *mode)
	}
	json.NewEncoder(os.Stdout).Encode(out)
}

func flood(url, ca string, small []byte, bigFile string, rate, bigConcurrency, idle int, healthURL string, duration time.Duration) map[string]any {
	bigBody, err := os.ReadFile(bigFile)
	if err != nil {
		panic(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup

	// Health: probed here only when asked (-health); a separate "probe" process is closer to a kubelet, which is not
	// the process sending the flood.
	var hp *prober
	if healthURL != "" {
		hp = &prober{}
		wg.Add(1)
		go func() { defer wg.Done(); hp.run(healthURL, stop) }()
	}

	// Small reviews first, so their connections exist before the idle flood takes the connection slots.
	smallClients := clients(4, ca)
	for _, c := range smallClients {
		newRecorder().post(c, url, small, false)
	}
	smallDone := make(chan *recorder)
	go func() {
		r, _ := paced(smallClients, url, small, rate, 0, duration)
		smallDone <- r
	}()

	// Idle connections: TLS, ALPN h2, the client preface and an empty SETTINGS frame, then silence.
	var idleOpened, idleRefused, idleClosedByServer atomic.Int64
	pem, _ := os.ReadFile(ca)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	host := strings.SplitN(strings.TrimPrefix(url, "https://"), "/", 2)[0]
	var idleConns sync.Map
	for i := 0; i < idle; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", host,
				&tls.Config{RootCAs: pool, ServerName: "localhost", NextProtos: []string{"h2"}})
			if err != nil {
				idleRefused.Add(1)
				return
			}
			idleConns.Store(i, conn)
			if _, err := conn.Write(append([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 0, 0, 0, 4, 0, 0, 0, 0, 0)); err != nil {
				idleRefused.Add(1)
				return
			}
			idleOpened.Add(1)
			buf := make([]byte, 4096)
			for {
				if _, err := conn.Read(buf); err != nil {
					select {
					case <-stop:
					default:
						idleClosedByServer.Add(1)
					}
					return
				}
			}
		}(i)
	}

	// Large reviews: bigConcurrency loops, each on its own transport (so on its own connection), back to back.
	bigRec := newRecorder()
	bigClients := clients(bigConcurrency, ca)
	deadline := time.Now().Add(duration)
	var bigWg sync.WaitGroup
	for i := 0; i < bigConcurrency; i++ {
		bigWg.Add(1)
		go func(c *http.Client) {
			defer bigWg.Done()
			for time.Now().Before(deadline) {
				if status := bigRec.post(c, url, bigBody, true); status == 503 || status == 0 {
					// Retry-After is 1 s; a client that honours it less keeps the pressure up. A refused or failed
					// connection gets the same pause (the API server would not retry at all).
					time.Sleep(100 * time.Millisecond)
				}
			}
		}(bigClients[i])
	}
	bigWg.Wait()
	smallRec := <-smallDone
	close(stop)
	idleConns.Range(func(_, v any) bool { v.(net.Conn).Close(); return true })
	wg.Wait()
	return map[string]any{
		"big":    bigRec.summary(),
		"small":  smallRec.summary(),
		"health": hp.summary(),
		"idle":   map[string]any{"opened": idleOpened.Load(), "refused": idleRefused.Load(), "closed_by_server": idleClosedByServer.Load()},
	}
}

// prober asks a health URL every 100 ms over a fresh connection each time, as the kubelet probes.
type prober struct {
	max                  atomic.Int64
	slow, failed, probes atomic.Int64
}

func (p *prober) run(url string, stop <-chan struct{}) {
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for {
		select {
		case <-stop:
			return
		case <-time.After(100 * time.Millisecond):
		}
		start := time.Now()
		resp, err := hc.Get(url)
		d := time.Since(start)
		p.probes.Add(1)
		if err != nil || resp.StatusCode != 200 {
			p.failed.Add(1)
		}
		if err == nil {
			resp.Body.Close()
		}
		if d > time.Second {
			p.slow.Add(1)
		}
		for {
			m := p.max.Load()
			if int64(d) <= m || p.max.CompareAndSwap(m, int64(d)) {
				break
			}
		}
	}
}

func (p *prober) summary() map[string]any {
	if p == nil {
		return map[string]any{}
	}
	return map[string]any{"probes": p.probes.Load(), "failed": p.failed.Load(), "slower_than_1s": p.slow.Load(), "max_ms": float64(p.max.Load()) / 1e6}
}
