"""Classroom tools: the lesson catalog, the class status and the instructor's view, the smoke test,
and a simulated class (``python -m temporal_notebooks.classroom.simulation``)."""

from .catalog import LESSONS, OTHER, Lesson, LessonIndex, lesson_by_number
from .smoke import SMOKE_LEARNER, exercise_solutions, run_smoke, smoke_main
from .status import ClassStatus, class_status
from .view import ClassView

__all__ = [
    "LESSONS",
    "OTHER",
    "SMOKE_LEARNER",
    "ClassStatus",
    "ClassView",
    "Lesson",
    "LessonIndex",
    "class_status",
    "exercise_solutions",
    "lesson_by_number",
    "run_smoke",
    "smoke_main",
]
