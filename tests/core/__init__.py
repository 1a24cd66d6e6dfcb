"""Tests of component_framework.core.

A package, so module names never clash with tests/cli/ or tests/web/.
"""
