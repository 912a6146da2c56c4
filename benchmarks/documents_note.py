"""The section of docs/performance.md on PDFs and e-invoices, measured by their own benchmarks."""

from __future__ import annotations

DOCUMENTS = """\
## PDFs and e-invoices

Measured apart from the runs above, one process, rates per second of that
process's CPU time (`time.process_time`) so that other work on the machine
does not lower them: `python -m benchmarks.pdf` (the demo's 25 invoices
round robin, with and without the EHF XML attached) and
`python -m benchmarks.ubl` (26 documents). On 2026-12-08, on the 2-core
development machine shared with other jobs, two runs of each (the first at
load 9 to 13, the second at load 5):

| | PDFs/s CPU, no XML | PDFs/s CPU, XML attached |
|---|---|---|
| before issue 27 (commit 9636080) | 59 to 70; 75 | 51 to 57; 70 |
| after | 60 to 64; 71 | 58 to 62; 72 |
| after, jemalloc (`LD_PRELOAD=libjemalloc.so.2`) | 76 to 79; 77 | 76 to 79; 80 |

E-invoices (EHF XML) render at 3,940 documents/s CPU (aim 500); validating
them as the tests do, 253/s. The aim of 100 PDFs/s is **not** reached, and
the profile leaves little to take on the ledger's side while the bytes of
every PDF stay as pinned (tests/documents/test_pdf_bytes.py). Of about 13 ms CPU per PDF, the
ledger's own part (the document's texts formatted, the JSON for typst) is
0.14 ms; the rest is typst compiling one page: layout about 40 %, text
shaping 15 %, show rules 10 %, the PDF export (font subsets, compression)
9 %, typst's cache eviction after every compile 6 %, evaluation 6 %
(`perf`, samples). The compiler, fonts and template already load once per
process, and typst's cache already makes the same document cheap (2.5 ms):
passing the data as a file instead of `sys.inputs` changes nothing, and
the page count in the footer (a second layout pass) costs 4 %. About 15 %
of the samples are the C library's `malloc` and `free`: jemalloc, preloaded,
gives 5 to 25 % more PDFs per CPU second with the same bytes. Without it,
the ledger's changes are within the machine's noise (about 5 %) without the
XML and a little faster with it.
"""
