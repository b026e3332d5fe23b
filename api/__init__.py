"""The shiftopt service: the FastAPI application, its persistence and jobs, and the command line."""
