"""The rendered book in a real browser: build the site, serve it on localhost, open every page in headless Chromium
with every host but 127.0.0.1 unreachable, and check what a reader sees. Needs Debian's `chromium` (CI installs it);
without it the test is skipped, except under CI, where a missing browser is a failure."""
import http.server, os, re, shutil, subprocess, sys, threading, functools
from pathlib import Path
from urllib.parse import urljoin, urlparse
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which('chromium')
ARTIFACTS = ROOT/'artifacts'
sys.path.insert(0, str(ROOT/'tools'))
from book import chapters, page_name
PAGES = [page_name(p) for p in chapters()]                  # book order: index, then the numbered chapters
MATH_PAGES = [page_name(p) for p in chapters() if '$' in p.read_text()]

if not CHROMIUM:
    if os.environ.get('CI'): pytest.fail('CI needs Debian chromium for the browser test (.ci/run installs it)', pytrace=False)
    pytest.skip('no chromium on this machine: apt-get install chromium', allow_module_level=True)
playwright = pytest.importorskip('playwright.sync_api')

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    "The site, freshly built by `make docs`'s own code into a temporary folder and served on 127.0.0.1."
    out = tmp_path_factory.mktemp('site')
    subprocess.run([sys.executable, str(ROOT/'tools'/'book.py'), 'docs', str(out)], cwd=ROOT, check=True)
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    handler = functools.partial(Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{server.server_port}/', out
    server.shutdown()

@pytest.fixture(scope='module')
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
            '--disable-sync', '--no-first-run', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'])
        yield b
        b.close()

def visit(browser, url):
    "Open `url`; return the page with the console errors and the requests to other hosts seen while it loaded."
    page = browser.new_page(viewport={'width': 1280, 'height': 2000})
    errors, outside = [], []
    page.on('console', lambda m: m.type == 'error' and errors.append(m.text))
    page.on('pageerror', lambda e: errors.append(str(e)))
    page.on('request', lambda r: urlparse(r.url).hostname not in (None, '127.0.0.1') and outside.append(r.url))
    page.goto(url, wait_until='networkidle')
    page.wait_for_function('!window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise)')
    page.evaluate('window.MathJax ? MathJax.startup.promise : null')
    return page, errors, outside

@pytest.mark.parametrize('name', PAGES)
def test_page(site, browser, name):
    base, out = site
    page, errors, outside = visit(browser, base + f'{name}.html')
    assert not errors, f'console errors on {name}: {errors}'
    assert not outside, f'{name} asked hosts other than 127.0.0.1: {outside}'
    assert page.title().strip(), name
    # no cell directive or hidden cell made it to the page
    text = page.inner_text('article')
    assert '#|' not in text and 'show_doc(' not in text, name
    # no markdown link left unrendered (a link whose text holds a code span breaks in a table)
    assert not re.search(r'\]\([\w./#-]+\.(html|ipynb)', text), f'an unrendered link on {name}'
    # math is typeset: every math element holds MathJax's output, and no raw $...$ is left in the text
    n_math = page.eval_on_selector_all('.math', 'els => els.length')
    typeset = page.eval_on_selector_all('.math', "els => els.filter(e => e.querySelector('mjx-container')).length")
    assert typeset == n_math, f'{name}: {n_math - typeset} of {n_math} math elements not typeset'
    if name in MATH_PAGES: assert n_math > 0, f'{name} should show math'
    assert not re.search(r'\$[^$\s][^$]*\\[a-z]+', text), f'raw TeX left on {name}'
    # every image loads
    widths = page.eval_on_selector_all('img', 'els => els.map(e => [e.src, e.complete ? e.naturalWidth : 0])')
    assert all(w > 0 for _, w in widths), f'images that did not load on {name}: {[s for s, w in widths if not w]}'
    if name == 'moons': assert len(widths) >= 2, 'the data and the decision boundary plots'
    if name == 'pictures': assert len(widths) >= 3, 'the drawings of a trace, of micrograd\'s example and of two levels'
    # every internal link resolves, anchors included
    hrefs = page.eval_on_selector_all('a[href]', 'els => els.map(e => e.href)')
    for href in hrefs:
        u = urlparse(href)
        if u.hostname != '127.0.0.1': continue
        target = out/(u.path.lstrip('/') or 'index.html')
        if target.is_dir(): target = target/'index.html'
        assert target.exists(), f'{name} links to missing {u.path}'
        if u.fragment and target.suffix == '.html':
            assert f'id="{u.fragment}"' in target.read_text(encoding='utf-8'), f'{name} links to missing anchor {href}'
    if name in ('engine', 'moons'):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS/f'{name}.png'), full_page=True)
    page.close()

def test_book_order_and_prev_next(site, browser):
    base, _ = site
    page, errors, _ = visit(browser, base + 'index.html')
    nav = page.eval_on_selector_all('nav.bd-links a', 'els => els.map(e => e.getAttribute("href"))')
    chapters = [h.split('#')[0].replace('.html', '') for h in nav if h and not h.startswith('#')]
    assert [c for c in chapters if c in PAGES] == PAGES[1:], nav
    page.close()
    page, _, _ = visit(browser, base + 'engine.html')
    i = PAGES.index('engine')
    assert page.get_attribute('a.left-prev', 'href') == f'{PAGES[i - 1]}.html'
    assert page.get_attribute('a.right-next', 'href') == f'{PAGES[i + 1]}.html'
    toc = page.eval_on_selector_all('.bd-toc a', 'els => els.map(e => e.innerText)')
    assert any('backward sweep' in t for t in toc), toc
    page.close()

def test_api_docs_and_search(site, browser):
    base, _ = site
    page, _, _ = visit(browser, base + 'engine.html')
    doc = page.inner_text('article')
    assert 'Create a function that evaluates the gradient of' in doc        # show_doc's docstring...
    assert page.locator('#grad').count() == 1                              # ...under an anchor API links use
    page.close()
    page, errors, outside = visit(browser, base + 'search.html?q=perturbation')
    page.wait_for_selector('#search-results li', timeout=15000)
    results = page.eval_on_selector_all('#search-results li a', 'els => els.map(e => e.getAttribute("href"))')
    assert any('engine' in r for r in results), results
    assert not errors and not outside, (errors, outside)
    page.close()

def test_sweep_player_steps_without_a_kernel(site, browser):
    "The backward sweep on the pictures page: one frame shown at a time, and the buttons step through them."
    base, _ = site
    page, errors, _ = visit(browser, base + 'pictures.html')
    player = page.locator('.mj-player').first
    shown = lambda: [f.is_visible() for f in player.locator('.mj-frame').all()]
    n = len(shown())
    assert n >= 3 and shown() == [True] + [False] * (n - 1)
    assert ' × ' in player.inner_text()                  # each caption is its step's arithmetic
    player.locator('button[data-step="1"]').click(); player.locator('button[data-step="1"]').click()
    assert shown().index(True) == 2 and 'step 3 of' in player.inner_text()
    player.locator('button[data-step="last"]').click()
    assert shown().index(True) == n - 1 and player.locator('.mj-frame svg').nth(n - 1).is_visible()
    player.locator('button[data-step="-1"]').click()
    assert shown().index(True) == n - 2 and not errors
