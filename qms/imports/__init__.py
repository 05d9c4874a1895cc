"""Answers from files: reading CSV, turning cells into typed answers, checking them against
a methodology (pure: no database here; qms.store.importing writes what passed)."""
