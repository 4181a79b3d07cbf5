"""alsreview: curated data, validation and analyses for the living review of exercise therapy in ALS."""

__version__ = "0.1.0"
