.PHONY: run test bench lint

run:
	@scripts/run.sh

test:
	@scripts/test.sh

bench:
	@scripts/bench.sh

lint:
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .
