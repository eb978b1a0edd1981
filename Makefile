# dangjian — the two commands a new user runs (README.md):
#   make run    install what is missing, build, create dangjian.db with demo data, serve :8080
#   make test   every test suite; the last line is "N passed, N failed"
# Other targets: build, bench, clean. Builds go to build/ (release-ish) and build-asan/.
SHELL := /bin/bash
DB ?= sqlite:dangjian.db
LISTEN ?= 127.0.0.1:8080
MEMBERS ?= 500
WEB_SRC := $(shell find web/src web/index.html web/vite.config.js -type f 2>/dev/null)

# Node.js trusts only its bundled CAs; make npm (and the tests' fetch) also trust the system's,
# where Debian's ca-certificates and any corporate TLS proxy put theirs. A value already set wins.
ifneq ($(wildcard /etc/ssl/certs/ca-certificates.crt),)
export NODE_EXTRA_CA_CERTS ?= /etc/ssl/certs/ca-certificates.crt
endif

.PHONY: run test build build-asan bench clean deps-run deps-test deps-bench web

run: deps-run build
	@./build/dangjian migrate --db "$(DB)" >/dev/null
	@if [ "$$(./build/dangjian org list --db '$(DB)' --parent root --limit 1)" = "[]" ]; then \
	  echo "dangjian: creating demo data ($(MEMBERS) members)..."; \
	  ./build/dangjian demo --db "$(DB)" --members $(MEMBERS) --seed 1 >/dev/null; \
	  ./build/dangjian user demo --db "$(DB)" >/dev/null; \
	fi
	@echo
	@echo "  dangjian is running: http://$(LISTEN)/"
	@echo "  API: http://$(LISTEN)/api/v1/health   database: $(DB)"
	@echo "  Demo log-ins, password Dangjian@2026 (演示账号，密码 Dangjian@2026):"
	@echo "    admin      党委管理员 committee administrator (sets up MFA at the first log-in)"
	@echo "    secretary  支部书记 branch secretary      member  党员 member      leader  领导 leader"
	@echo "    auditor / security / sysadmin  审计/安全/系统管理员 (MFA at the first log-in)"
	@echo "  Stop with Ctrl-C."
	@echo
	./build/dangjian serve --db "$(DB)" --listen "$(LISTEN)"

deps-run:
	@scripts/install-deps.sh run
deps-test:
	@scripts/install-deps.sh test
deps-bench:
	@scripts/install-deps.sh bench

# node_modules is current when it was installed from this very lock file: compared by content,
# since a fresh clone or a git worktree has newer file times but the same lock.
web/node_modules/.installed: web/package.json web/package-lock.json
	@if ! cmp -s web/package-lock.json web/node_modules/.installed-lock; then \
	  echo "cd web && npm ci --no-audit --no-fund --loglevel=error"; \
	  (cd web && npm ci --no-audit --no-fund --loglevel=error) && \
	  cp web/package-lock.json web/node_modules/.installed-lock; \
	fi
	@touch $@

web/dist/index.html: web/node_modules/.installed $(WEB_SRC)
	cd web && npm run build --silent
	@touch $@

web: web/dist/index.html

build/build.ninja:
	meson setup build -Dspa_dist=web/dist >/dev/null

build-asan/build.ninja:
	meson setup build-asan -Dspa_dist=web/dist -Db_sanitize=address,undefined \
	  -Db_lundef=false >/dev/null

build: web build/build.ninja
	ninja -C build >/dev/null

build-asan: web build-asan/build.ninja
	ninja -C build-asan >/dev/null

test: deps-test build build-asan
	@node scripts/test-all.mjs

bench: deps-bench build
	bench/run.sh

clean:
	rm -rf build build-asan web/dist tests/ui/artifacts
