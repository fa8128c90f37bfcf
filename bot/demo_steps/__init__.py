"""One module per capability's part of `mentorbot demo`; bot/demo.py runs them in order."""
