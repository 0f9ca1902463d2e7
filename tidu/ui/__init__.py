"""`tidu ui`: a local web page to play with every knob of the notes (playground), browse the
run database (runs) and read and run the lab (lab)."""
