GO ?= go
PKGS := ./...
FUZZTIME ?= 30s
DURATION ?= 10m
GOLANGCI := github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.6.2

.PHONY: test race cover lint bench fuzz soak explore interop upstream upstream-revert verify sweep cross doc-commands

# The README's test command: unit, conformance, rapid, sweeps and mutants; < 3 min on 2 cores.
test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout 170s $(PKGS)

# -short shrinks the harness's own Verify runs (the race detector slows them ~10x).
race:
	$(GO) test -race -short -count=1 -timeout 1200s $(PKGS)

cover:
	$(GO) test -count=1 -coverprofile=cover.out $(PKGS)
	$(GO) tool cover -func=cover.out | tail -n 1

lint:
	$(GO) run $(GOLANGCI) run ./...

# The module builds, and its tests type-check, on systems other than Linux:
# `go vet` compiles every package and test file for each GOOS.
CROSS_GOOS ?= windows darwin
cross:
	@set -e; for os in $(CROSS_GOOS); do \
		echo "GOOS=$$os go vet $(PKGS)"; \
		GOOS=$$os $(GO) vet $(PKGS); \
	done

bench:
	$(GO) test -run='^$$' -bench=. -benchmem $(PKGS)

verify:
	$(GO) run ./cmd/scopemig verify

# Fuzz targets, as package:FuzzName; `make fuzz` runs each for FUZZTIME, one
# after the other. Seed corpora live in <pkg>/testdata/fuzz/<FuzzName>/ and
# run in `make test` like any test (docs/security.md).
FUZZ_TARGETS := \
	./impl/encfile:FuzzDecode \
	./impl/encfile:FuzzDecodePlaintext \
	./impl/encfile:FuzzOnlySecrets \
	./impl/secrets:FuzzParseKey \
	./impl/secrets:FuzzScopedKey \
	./impl/secrets:FuzzQuarantineKey \
	./impl/config:FuzzSetMigrated \
	./impl/dirstore:FuzzFileName \
	./impl/internal/cleanpath:FuzzIsClean \
	./faults:FuzzParseSchedule

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

# ToolHive v0.47.0 interop tests and benchmarks: a separate module (interop/go.mod), never built by `test`.
# TestUpstream (make upstream) is part of it.
interop:
	cd interop && $(GO) test -count=1 -timeout 30m ./...

# The patch series for ToolHive itself (docs/upstream.md): v0.47.0 and the
# patched copy, explorer (every mode), ToolHive's writers, error sweep.
upstream:
	cd interop && $(GO) test -count=1 -timeout 20m -run '^TestUpstream$$' -v .

# Each patch reverted alone brings back its finding (slow: a build and a
# full check per patch; UPSTREAM_REVERT=000N for one).
UPSTREAM_REVERT ?= all
upstream-revert:
	cd interop && UPSTREAM_REVERT=$(UPSTREAM_REVERT) $(GO) test -count=1 -timeout 60m -run '^TestUpstreamRevert$$' -v .

# Randomized soak until DURATION (make soak DURATION=30m SHARD=0/1).
SHARD ?= 0/1
soak:
	$(GO) run ./cmd/scopemig soak --duration $(DURATION) --shard $(SHARD) --report soak-report.json --junit soak-junit.xml --artifact-dir soak-artifacts

# Exhaustive crash enumeration of one generated store (make explore KEYS=12 MODE=all DEPTH=2).
KEYS ?= 10
MODE ?= all
DEPTH ?= 2
explore:
	$(GO) run ./cmd/scopemig explore --keys $(KEYS) --mode $(MODE) --depth $(DEPTH)

# Every shell command of README.md and docs/*.md, run verbatim in a sandbox
# (TestDocCommandsRun), the slow ones too: the suite, the soaks, the
# benchmarks, fuzzing. `make test` runs only the fast ones.
doc-commands:
	SCOPEMIG_DOC_COMMANDS=all $(GO) test -count=1 -timeout 4h -run '^TestDocCommandsRun$$' -v ./cmd/scopemig
