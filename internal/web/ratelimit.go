package web

import (
	"math"
	"sync"
	"time"
)

// Limit is a token bucket: Burst requests at once, refilled at Rate per
// second. A zero Burst means no limit.
type Limit struct {
	Rate  float64
	Burst int
}

// Limits are the request limits the server enforces, in memory (one
// binary, one process). The zero value enforces none; `onepool serve`
// runs with DefaultLimits.
type Limits struct {
	APIToken   Limit // API requests per bearer token
	APIUser    Limit // API requests per user (tokens and sessions together)
	APIAddress Limit // API requests per client address, signed in or not
	LoginUser  Limit // sign-in attempts per user name, from any address
	// LoginAddress bounds sign-in attempts per client address. Failed
	// sign-ins are also throttled by auth (Config.IPFailures per IPWindow).
	LoginAddress Limit
}

// DefaultLimits are the limits of `onepool serve`: a script may call the
// API 20 times a second (60 at once) per token and per user; one address
// (an office behind one NAT) gets 100 a second (300 at once); a user name
// may be tried 10 times at once and then once every 6 seconds, an address
// 30 times at once and then once a second.
func DefaultLimits() Limits {
	return Limits{
		APIToken:     Limit{Rate: 20, Burst: 60},
		APIUser:      Limit{Rate: 20, Burst: 60},
		APIAddress:   Limit{Rate: 100, Burst: 300},
		LoginUser:    Limit{Rate: 1.0 / 6, Burst: 10},
		LoginAddress: Limit{Rate: 1, Burst: 30},
	}
}

// buckets holds token buckets by key.
type buckets struct {
	lim Limit
	mu  sync.Mutex
	m   map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxBuckets bounds memory under a spray of keys: beyond it, full
// buckets (idle keys) are dropped, and if that is not enough all are.
const maxBuckets = 100000

func newBuckets(l Limit) *buckets { return &buckets{lim: l, m: map[string]*bucket{}} }

// take spends one request of key at now; when the bucket is empty it
// returns false and how long until one request is allowed.
func (b *buckets) take(key string, now time.Time) (bool, time.Duration) {
	if b == nil || b.lim.Burst <= 0 {
		return true, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := b.m[key]
	if bk == nil {
		if len(b.m) >= maxBuckets {
			b.prune(now)
		}
		bk = &bucket{tokens: float64(b.lim.Burst), at: now}
		b.m[key] = bk
	}
	b.refill(bk, now)
	if bk.tokens >= 1 {
		bk.tokens--
		return true, 0
	}
	if b.lim.Rate <= 0 {
		return false, time.Hour
	}
	wait := time.Duration(math.Ceil((1 - bk.tokens) / b.lim.Rate * float64(time.Second)))
	return false, wait
}

func (b *buckets) refill(bk *bucket, now time.Time) {
	if d := now.Sub(bk.at); d > 0 {
		bk.tokens = math.Min(float64(b.lim.Burst), bk.tokens+d.Seconds()*b.lim.Rate)
		bk.at = now
	}
}

// prune drops full buckets; b.mu is held.
func (b *buckets) prune(now time.Time) {
	for k, bk := range b.m {
		b.refill(bk, now)
		if bk.tokens >= float64(b.lim.Burst) {
			delete(b.m, k)
		}
	}
	if len(b.m) >= maxBuckets {
		b.m = map[string]*bucket{}
	}
}

// limiters are the server's buckets, one set per Limits field.
type limiters struct {
	apiToken, apiUser, apiAddr, loginUser, loginAddr *buckets
}

func newLimiters(l Limits) limiters {
	return limiters{apiToken: newBuckets(l.APIToken), apiUser: newBuckets(l.APIUser), apiAddr: newBuckets(l.APIAddress),
		loginUser: newBuckets(l.LoginUser), loginAddr: newBuckets(l.LoginAddress)}
}
