"""Documents the application produces: PDF, QR codes, iCalendar, exports.

The libraries that write them (reportlab, qrcode, icalendar, rvgsrust-xlsxwriter) are imported
by the modules that use them, which are imported where a document is written: a web
worker that writes none stays small and starts fast.

A document never imports app/services/: what it shows is handed to it, or read from the
models (app/models), as the layers run one way (pyproject.toml, [tool.importlinter]).
"""
