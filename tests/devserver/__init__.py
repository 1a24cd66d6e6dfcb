"""Tests of component_framework.devserver."""
