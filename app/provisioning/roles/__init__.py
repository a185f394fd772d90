"""The roles module (seed 001): employee assignments and competence roles that make login tickets."""
