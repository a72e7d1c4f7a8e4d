"Every code block of the README runs as shown, in order, and prints what the README says it prints."
import contextlib, io, re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / 'README.md'

def blocks():
    "The README's Python code blocks, each with the output shown after it (an indented block; '' if none)."
    lines, found, i = README.read_text().splitlines(), [], 0
    while i < len(lines):
        if not lines[i].startswith('```'): i += 1; continue
        lang, j = lines[i][3:].strip(), i + 1
        while not lines[j].startswith('```'): j += 1
        code, k = '\n'.join(lines[i + 1:j]), j + 1
        while k < len(lines) and (lines[k] == '' or lines[k].startswith('    ')): k += 1
        out = '\n'.join(l[4:] for l in lines[j + 1:k] if l)
        if lang in ('', 'python'): found.append((code, out))
        i = k
    return found

def test_readme_code_blocks_run_as_shown():
    bs = blocks()
    assert len(bs) >= 5, 'the README should show its examples as code blocks'
    ns = {}
    for code, expected in bs:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf): exec(compile(code, 'README.md', 'exec'), ns)
        assert buf.getvalue().strip() == expected.strip(), (code, buf.getvalue(), expected)
