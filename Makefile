# onepool — the README's two commands are `make run` and `make test`.
GO ?= go

.PHONY: run demo test test-short lint bench bench-pg build

run:
	$(GO) run ./cmd/onepool serve --demo

build:
	$(GO) build -o onepool ./cmd/onepool

test:
	$(GO) test -race -count=1 -timeout 30m ./...

# Without the race detector: faster on a 2-core machine.
test-short:
	$(GO) test -count=1 -timeout 30m ./...

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) run ./cmd/onepool bench ledger --transfers 200000

# The projects and relief benchmarks on a throwaway PostgreSQL cluster.
bench-pg:
	$(GO) run ./cmd/onepool bench projects --pg
	$(GO) run ./cmd/onepool bench relief --pg --kill=false
