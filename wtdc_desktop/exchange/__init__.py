"""Import and export of outside formats (timetables, calendars); no Qt."""
