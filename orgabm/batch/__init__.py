"""Batches: seeds, replicates, sweeps and their designs, backends, workers, the store.

Imports the engine and the scenario layer, never analysis or anything above.
"""
