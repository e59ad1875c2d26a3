"""Evidence: the SQLite store, the only module that speaks SQL."""
