# The book's commands. Set up first with: pip install -e ".[dev]"
.PHONY: help test test-nbs test-py bench export clean readme docs check lab

help:                           ## this list of the book's commands
	@grep -E '^[a-z-]+:.*## ' Makefile | sed -E 's/:[^#]*## /\t/' | expand -t 16

test: test-nbs test-py          ## the whole test suite

test-nbs:                       ## the notebooks' own test cells
	@echo "== the notebooks' own cells (nbdev_test, about half a minute on 2 cores)"
	nbdev_test

test-py:                        ## tests/: PyTorch as the reference, property tests, the original's tests
	@echo "== tests/ (pytest on 2 workers, about a minute and a half; a dot per test)"
	python -m pytest -q -n 2 tests

bench:                          ## microjax against micrograd, handwritten loops, plain floats; the GPT step (about 4 min)
	python -u tools/bench.py

export:                         ## notebooks -> microjax/
	nbdev_export

clean:                          ## strip notebook metadata for clean diffs
	nbdev_clean

readme:                         ## README.md from nbs/index.ipynb
	python tools/book.py readme

check:                          ## notebooks clean, package exported, README current
	nbdev_clean && nbdev_export && python tools/book.py readme --check
	git diff --exit-code -- nbs microjax README.md
	test -z "$$(git status --porcelain -- nbs microjax)"

lab:                            ## open the book in Jupyter
	jupyter lab nbs/

docs:                           ## the book as a static site in _docs/ (offline, no Quarto)
	python tools/book.py docs
