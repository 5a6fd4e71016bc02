"""Lesson 01b's order worker as a process of its own, so the lesson can crash it (SIGKILL) mid-step."""
