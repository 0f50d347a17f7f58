"""Reports for the centre: the /stats chart and the admins' workbook, from anonymous facts.

period.py names what a report covers (a month or a year), figures.py counts the facts
(pure), chart.py draws the PNG, workbook.py lays out and writes the .xlsx.
"""
