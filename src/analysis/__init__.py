"""tenplans: quarterly monitoring of the city's ten-plan industrial programme."""

__version__ = "0.1.0"
