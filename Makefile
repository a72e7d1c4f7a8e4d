# The book's commands. Set up first with: pip install -e ".[dev]"
.PHONY: test test-nbs test-py bench export clean readme docs check lab

test: test-nbs test-py          ## the whole test suite

test-nbs:                       ## the notebooks' own test cells
	nbdev_test

test-py:                        ## tests/: PyTorch as the reference, property tests, the original's tests
	python -m pytest -q -n 2 tests

bench:                          ## microjax against micrograd and plain floats
	python tools/bench.py

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
