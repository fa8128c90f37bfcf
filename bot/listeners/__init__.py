"""Thin Slack adapters: parse a payload, call a service, render blocks."""
