# Two entry points for a fresh Debian machine: `make demo` (a build of the bundled
# sample corpus) and `make test`. Both install what they need.
PY := .venv/bin/python
VENV_STAMP := .venv/.installed

.PHONY: demo test venv toolchains docker-setup bench clean

venv: $(VENV_STAMP)
$(VENV_STAMP): setup.py
	python3 -m venv .venv
	.venv/bin/pip install -q --upgrade pip
	# The CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build.
	.venv/bin/pip install -q torch==2.13.0
	.venv/bin/pip install -q -e '.[dev,docker,dask,llm,train]'
	touch $(VENV_STAMP)

toolchains:
	bash scripts/install_toolchains.sh

docker-setup: venv
	bash sandboxes/images/ci_setup.sh

demo: venv toolchains
	$(PY) -m pipelines.cli build --config examples/quickstart.yaml --output out/demo
	@echo "shards in out/demo/data, card in out/demo/README.md, dead letters in out/demo/dead_letters"

test: venv toolchains docker-setup
	$(PY) -m pytest -n 2 --dist loadgroup

clean:
	rm -rf out .venv
