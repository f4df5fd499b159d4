"""Reading lead lists: file detection, readers that stream rows, mapping and cleaning."""
