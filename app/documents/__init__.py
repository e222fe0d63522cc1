"""Documents the application produces: PDF, QR codes, iCalendar, exports."""
