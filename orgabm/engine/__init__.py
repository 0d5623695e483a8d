"""The engine: the model, its employees, environments and network, the step phases, the metrics.

Imports only the scenario layer below it.
"""
