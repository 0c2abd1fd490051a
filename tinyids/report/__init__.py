"""The study report: reproduction scorecard, cross-study plots and a single-page HTML report."""
