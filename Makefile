.PHONY: run test bench lint lock

run:
	@scripts/run.sh

test:
	@scripts/test.sh

bench:
	@scripts/bench.sh

lint:
	@.venv/bin/ruff check . && .venv/bin/ruff format --check . && \
		DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/mypy && .venv/bin/lint-imports --no-cache

# Re-compiles the three lock files from their .in files, keeping every pin that still fits (add
# LOCK_ARGS=--upgrade, or LOCK_ARGS="--upgrade-package django", to move pins).
LOCK = .venv/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-find-links --no-emit-index-url $(LOCK_ARGS)
lock:
	@scripts/bootstrap.sh dev
	$(LOCK) -o requirements.txt requirements.in
	$(LOCK) -o requirements-test.txt requirements-test.in
	$(LOCK) -o requirements-dev.txt requirements-dev.in
