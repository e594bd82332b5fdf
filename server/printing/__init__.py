"""Printing the village archive: household records, monthly work forms, major-event reports and
the village monthly binder, as PDF/A files rendered by WeasyPrint from `exports/` templates."""
