"""The dataset: its types, field rules, reading and checks, dates, the operator's datasets, the gazetteer."""
