"""One module per claim of the notes (SPEC.md E1 … E29), each registering itself."""
