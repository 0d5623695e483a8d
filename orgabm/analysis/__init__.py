"""Analysis of results: statistics with confidence intervals, the HTML report, sensitivity."""
