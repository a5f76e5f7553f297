"""Instructors write questions and build quizzes: services, forms and views."""
