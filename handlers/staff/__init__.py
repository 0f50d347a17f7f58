"""Handlers of the staff group: one staff gate (gate.py), one module per tool."""
