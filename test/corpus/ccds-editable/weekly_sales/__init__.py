"""Weekly sales of the corner shops."""
