"""Exports of one cycle's results: the long-format CSV, the XLSX workbook and the PDF
report. Functions take already loaded data, so the web handlers and `qms export` share
them; every export obeys the suppression rules of METHODOLOGY.md §3.4."""
