"""A chat over SQLite and Redis: rooms, history scrolled up page by page, new messages pushed
to every page in the room on every process."""
