"""What the tests share besides fixtures: plain helpers and classes, imported by test
modules and by the conftest.py files (which hold only fixtures and hooks)."""
