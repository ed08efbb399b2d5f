"""Checks of the built site as readers get it: static crawl (site.py) and a real browser (live.py).

Everything here is discovered from a build (`mkdocs build` output folder): the pages, their diagrams,
code blocks, tab sets and search index. Nothing depends on which pages exist today, so the same
checks run over the site as other sections are added.
"""
