"""Compliance: projects membership, discipline and talk events into must-talk obligations and coverage."""
