"""The Solara dashboard (``orgabm dashboard``, or ``solara run app.py``)."""
