"""Statistics of a unit subtree over a range of years (issue 9): awards by type, level, subject, kind, unit and
year, the leaders' share of individual awards, quotas, the time stages take and why nominations come back.
The reads live in `selectors`; the page, its Excel workbook and its PDF are in awards/views/statistics.py."""
