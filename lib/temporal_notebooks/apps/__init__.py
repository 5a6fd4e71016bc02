"""Lesson code laid out as a real application: worker and starter scripts run from a terminal."""
