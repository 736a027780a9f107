"""The HTTP API's routes, one module per resource; ``common`` holds what they share."""
