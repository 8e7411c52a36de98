"""Experiments: designs, the run engine with its local and Dask backends, and the store."""
