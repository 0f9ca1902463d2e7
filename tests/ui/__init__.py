"""Tests of `tidu ui`: the playground engine, the server's JSON API and the page in headless Chromium."""
