"""Configuration: pydantic models, YAML loading with ${ENV} and *_file secrets, clear errors."""
