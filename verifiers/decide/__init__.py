"""Decide: a conclusion evaluated on runs, with its error bounds, replays and exact tests."""
