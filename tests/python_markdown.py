"""Renders Markdown files to HTML with Python-Markdown, for tests/markdown.rs.

Usage: python3 tests/python_markdown.py FILE.md... ; writes FILE.md.html beside
each. Exits 3 when Python-Markdown is not installed, so that the caller can
say so rather than fail.
"""
import sys

try:
    import markdown
except ImportError:
    sys.exit(3)

for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as source:
        html = markdown.markdown(source.read())
    with open(path + ".html", "w", encoding="utf-8") as target:
        target.write(html)
