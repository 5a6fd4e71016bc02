"""Classroom tools: the lesson catalog, the class status and the instructor's view, the smoke test,
the class's shared server (``class_server``) and a simulated class (``classroom.simulation``)."""

from .catalog import LESSONS, OTHER, Lesson, LessonIndex, lesson_by_notebook, lesson_by_number
from .smoke import SmokeReport, SmokeTest, exercise_solutions, run_smoke, smoke_main
from .status import SMOKE_LEARNER, ClassStatus, class_status
from .view import ClassView

__all__ = [
    "LESSONS",
    "OTHER",
    "SMOKE_LEARNER",
    "ClassStatus",
    "ClassView",
    "Lesson",
    "LessonIndex",
    "SmokeReport",
    "SmokeTest",
    "class_status",
    "exercise_solutions",
    "lesson_by_notebook",
    "lesson_by_number",
    "run_smoke",
    "smoke_main",
]
