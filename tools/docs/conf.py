# Sphinx configuration of the book's site (`make docs`). The sources are the processed notebooks in `_proc/`.
project = 'microjax'
author = 'The microjax authors'
copyright = '2026, The microjax authors'

extensions = ['myst_nb', 'sphinx-mathjax-offline']    # MathJax 3 served from _static: no CDN
nb_execution_mode = 'off'          # outputs are the notebooks' own; `nbdev_test` proves they run
myst_enable_extensions = ['dollarmath', 'amsmath', 'attrs_block', 'colon_fence']
myst_all_links_external = True     # chapter links (`engine.html#grad`) are kept as written: pages have those names
exclude_patterns = ['.doctrees', '**/.ipynb_checkpoints']
suppress_warnings = ['mystnb.unknown_mime_type']

html_theme = 'sphinx_book_theme'
html_title = 'microjax'
html_theme_options = {
    'show_toc_level': 2,
    'use_download_button': False,
    'use_fullscreen_button': False,
    'home_page_in_toc': True,
}
html_show_sourcelink = False
html_favicon = 'favicon.svg'
html_context = {'default_mode': 'auto'}   # without it the theme's script logs "invalid theme mode" on first visit
nb_merge_streams = True                   # one box for all that a cell prints
nb_render_markdown_format = 'myst'      # a cell's Markdown output (a table built from data) renders as the prose does
html_static_path = ['_static']
html_css_files = ['book.css']             # wider articles, and long code lines wrapped rather than cut off
