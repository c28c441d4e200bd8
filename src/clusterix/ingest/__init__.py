"""Readers for official data formats and cached downloads of official files."""
