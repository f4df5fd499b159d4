"""Small dialogs the call queue asks with: when to call back, keep on the list, skip, script."""
