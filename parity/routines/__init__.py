"""Routines and scheduled tasks: load their schedules, validate them, and preview their fires."""
