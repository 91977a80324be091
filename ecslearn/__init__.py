"""ecslearn: learn Amazon ECS offline with an in-process simulator, lessons and quizzes."""

__version__ = "0.1.0"
