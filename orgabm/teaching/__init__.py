"""Teaching: assignments' experiments, the queue that runs them, the teacher's notes.

The dashboard imports it; it never imports the dashboard.
"""
