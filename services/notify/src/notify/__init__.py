"""Notify: alerts the responsible secretaries, once per alert, on the channels they use."""
