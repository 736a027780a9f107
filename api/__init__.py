"""The HTTP service (FastAPI); it calls the same library functions as the CLI."""
