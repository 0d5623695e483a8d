"""The published models (March 1991, Lazer and Friedman 2007, Fang et al. 2010, Miller et
al. 2006) as experiments, and the suite that checks the engine reproduces them.
"""
