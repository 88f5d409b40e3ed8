"""The ground floor every layer stands on: the settings, the types the layers hand each other, the error taxonomy
and the progress protocol. It imports nothing of the project."""
