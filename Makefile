PYTHON ?= .venv/bin/python

.PHONY: bench bench-quick test

bench:  ## every benchmark, one table, benchmarks/results.json
	$(PYTHON) -m benchmarks

bench-quick:
	$(PYTHON) -m benchmarks --quick

test:
	sh scripts/bootstrap.sh test && .venv/bin/python -m pytest
