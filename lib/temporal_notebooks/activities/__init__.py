"""Lesson activities, one module per lesson. Workflows import them through the sandbox."""
