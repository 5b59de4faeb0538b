"""The finder's relevance benchmark: labelled queries (queries.txt) run against the demo offers."""
