# The README's commands. `make test` is what CI runs (through .ci/run).
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/prometheus/common/version.Version=$(VERSION) \
           -X github.com/prometheus/common/version.Revision=$(shell git rev-parse --short HEAD 2>/dev/null)

.PHONY: all build run test lint bench fuzz clean

all: lint test build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/up ./cmd/up

run:
	$(GO) run ./cmd/up run

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# -race needs cgo, and cgo a C compiler. Where either is missing the tests
# still run, without the race detector, and say so.
RACE := $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && command -v "$$($(GO) env CC | cut -d' ' -f1)" >/dev/null 2>&1 && echo -race)

test: lint
ifeq ($(RACE),)
	@echo "make test: cgo is unavailable (CGO_ENABLED=0 or no C compiler such as gcc): running without -race"
endif
	$(GO) test $(RACE) -count=1 -timeout 15m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin data
