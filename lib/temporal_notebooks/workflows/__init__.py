"""Lesson workflows, one module per lesson. Workflow classes only: the sandbox re-imports these."""
